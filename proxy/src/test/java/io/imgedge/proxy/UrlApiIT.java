package io.imgedge.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.proxy.hive.Base58;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.imgedge.proxy.Harness.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The URL API beyond plain processing: Accept negotiation, the Hive dialect and /info, on a real server. */
class UrlApiIT {
    @TempDir
    Path dir;
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    ImgedgeServer start(Map<String, Object> extra) throws Exception {
        String name = "n" + closing.size();
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("imgedge.server.http.port", 0);
        overrides.put("imgedge.server.node_name", "node-" + name);
        overrides.put("imgedge.server.https.enabled", false);
        overrides.put("imgedge.admin.enabled", false);
        overrides.put("imgedge.signing.enabled", false);
        overrides.put("imgedge.sources.local.root", dir.resolve("images").toString());
        overrides.put("imgedge.sources.http.allow_loopback", true);
        overrides.put("imgedge.sources.http.allowed_ports", List.of());
        overrides.put("imgedge.cache.disk.dir", dir.resolve(name + "/results").toString());
        overrides.put("imgedge.cache.source.dir", dir.resolve(name + "/sources").toString());
        overrides.put("imgedge.store.backends", List.of(Map.of("type", "file", "dir", dir.resolve(name + "/store").toString())));
        overrides.putAll(extra);
        Files.createDirectories(dir.resolve("images"));
        ImgedgeServer server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), overrides));
        closing.add(server);
        return server;
    }

    static void image(HttpResponse<byte[]> response, ImageFormat format, int width, int height) {
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(format, TestImages.sniff(response.body()));
        assertEquals(format.mimeType(), response.headers().firstValue("content-type").orElseThrow());
        if (format != ImageFormat.AVIF) {
            BufferedImage decoded = TestImages.decode(response.body());
            assertEquals(width, decoded.getWidth());
            assertEquals(height, decoded.getHeight());
        }
    }

    static Optional<String> vary(HttpResponse<?> response) {
        return response.headers().firstValue("vary");
    }

    @Test
    void acceptChoosesTheFormatOfUrlsThatNameNone() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("photo.jpg"), TestImages.jpeg(400, 300));
        ImgedgeServer server = start(Map.of("imgedge.processing.auto_formats", List.of("avif", "webp")));
        String path = "/_/rs:fit:200:200/plain/local:///photo.jpg";
        record Row(String accept, ImageFormat expected) {
        }
        for (Row row : List.of(new Row("image/avif,image/webp,image/apng,*/*;q=0.8", ImageFormat.AVIF),
                new Row("image/webp,*/*", ImageFormat.WEBP), new Row("*/*", ImageFormat.JPEG), new Row(null, ImageFormat.JPEG))) {
            HttpResponse<byte[]> response = row.accept() == null ? get(server, path) : get(server, path, "Accept", row.accept());
            image(response, row.expected(), 200, 150);
            assertEquals(Optional.of("accept"), vary(response).map(String::toLowerCase), "the answer depended on Accept");
        }
        HttpResponse<byte[]> explicit = get(server, path + "@png", "Accept", "image/avif,image/webp");
        image(explicit, ImageFormat.PNG, 200, 150);
        assertEquals(Optional.empty(), vary(explicit), "a URL that names its format does not vary");
        HttpResponse<byte[]> option = get(server, "/_/f:webp/rs:fit:100:100/plain/local:///photo.jpg", "Accept", "image/avif");
        image(option, ImageFormat.WEBP, 100, 75);
        assertEquals(Optional.empty(), vary(option));

        assertEquals("hit-memory", get(server, path, "Accept", "image/webp").headers().firstValue("x-cache").orElseThrow(),
                "each format is cached apart");
        assertEquals("hit-memory", get(server, path, "Accept", "text/html").headers().firstValue("x-cache").orElseThrow());
        image(get(server, path, "Accept", "image/webp"), ImageFormat.WEBP, 200, 150);
    }

    @Test
    void expiryRawDprPresetsAndEffectsEndToEnd() throws Exception {
        byte[] jpeg = TestImages.jpeg(400, 300);
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("photo.jpg"), jpeg);
        ImgedgeServer server = start(Map.of("imgedge.processing.presets", List.of("thumb=rs:fill:50:50", "default=q:60"),
                "imgedge.processing.auto_formats", List.of()));
        long now = System.currentTimeMillis() / 1000;
        assertEquals(403, get(server, "/_/exp:" + (now - 10) + "/w:100/plain/local:///photo.jpg").statusCode());
        image(get(server, "/_/exp:" + (now + 3600) + "/w:100/plain/local:///photo.jpg"), ImageFormat.JPEG, 100, 75);

        HttpResponse<byte[]> raw = get(server, "/_/raw:1/w:10/plain/local:///photo.jpg");
        assertEquals(200, raw.statusCode());
        assertTrue(java.util.Arrays.equals(jpeg, raw.body()), "raw: the source's own bytes");
        assertEquals("image/jpeg", raw.headers().firstValue("content-type").orElseThrow());

        image(get(server, "/_/dpr:2/w:100/plain/local:///photo.jpg"), ImageFormat.JPEG, 200, 150);
        image(get(server, "/_/pr:thumb/plain/local:///photo.jpg@png"), ImageFormat.PNG, 50, 50);
        image(get(server, "/_/rs:fill:300:200/rot:90/plain/local:///photo.jpg@png"), ImageFormat.PNG, 300, 200);
        image(get(server, "/_/rt:auto/s:150:200/plain/local:///photo.jpg"), ImageFormat.JPEG, 150, 113);
        image(get(server, "/_/c:200:150:nowe/rs:fit:100:100/plain/local:///photo.jpg@png"), ImageFormat.PNG, 100, 75);
        image(get(server, "/_/rs:fill:100:300/g:so/plain/local:///photo.jpg@png"), ImageFormat.PNG, 100, 300);
        image(get(server, "/_/rs:fit:500:500:1:1/bg:000000/plain/local:///photo.jpg@png"), ImageFormat.PNG, 500, 500);
        image(get(server, "/_/rs:fill-down:800:300/plain/local:///photo.jpg@png"), ImageFormat.PNG, 400, 150);
        image(get(server, "/_/rs:fill:100:100/g:fp:0.1:0.9/plain/local:///photo.jpg@png"), ImageFormat.PNG, 100, 100);
        HttpResponse<byte[]> unknown = get(server, "/_/nope:10/plain/local:///photo.jpg");
        assertEquals(400, unknown.statusCode());
        assertTrue(new String(unknown.body(), StandardCharsets.UTF_8).contains("unknown option 'nope'"));

        Files.write(dir.resolve("images/anim.gif"), TestImages.animatedGif(120, 80, 5));
        HttpResponse<byte[]> animated = get(server, "/_/rs:fill:40:40/plain/local:///anim.gif");
        image(animated, ImageFormat.GIF, 40, 40);
        try (var in = javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(animated.body()))) {
            javax.imageio.ImageReader reader = javax.imageio.ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertEquals(5, reader.getNumImages(true), "every frame survives the resize");
        }
    }

    @Test
    void qualityDefaultsPerOutputFormat() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("photo.jpg"), TestImages.jpeg(400, 300));
        ImgedgeServer server = start(Map.of("imgedge.processing.quality", 90,
                "imgedge.processing.format_quality", List.of("webp=10", "jpg=10"), "imgedge.processing.auto_formats", List.of()));
        int webpDefault = get(server, "/_/w:300/plain/local:///photo.jpg@webp").body().length;
        int webpExplicit = get(server, "/_/w:300/q:90/plain/local:///photo.jpg@webp").body().length;
        assertTrue(webpDefault < webpExplicit / 2, "webp at 10 (" + webpDefault + " B) vs 90 (" + webpExplicit + " B)");
        int sourceFormat = get(server, "/_/w:301/plain/local:///photo.jpg").body().length;
        int sourceExplicit = get(server, "/_/w:301/q:90/plain/local:///photo.jpg").body().length;
        assertTrue(sourceFormat < sourceExplicit / 2, "a JPEG kept as JPEG takes the jpg default too: " + sourceFormat
                + " vs " + sourceExplicit);
        HttpResponse<byte[]> named = get(server, "/_/w:301/plain/local:///photo.jpg");
        image(named, ImageFormat.JPEG, 301, 226);
        assertEquals("node-n0", named.headers().firstValue("x-served-by").orElseThrow(), "which node answered");
        assertEquals("node-n0", get(server, "/_/w:301/q:500/plain/local:///photo.jpg").headers().firstValue("x-served-by")
                .orElseThrow(), "errors too");
    }

    /** An ICO holding {@code images}, each as stored (PNG bytes, or a BMP bitmap without its file header). */
    static byte[] ico(List<byte[]> images, List<Integer> sides) {
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(6 + 16 * images.size()
                + images.stream().mapToInt(i -> i.length).sum()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) 0).putShort((short) 1).putShort((short) images.size());
        int offset = 6 + 16 * images.size();
        for (int i = 0; i < images.size(); i++) {
            out.put((byte) (sides.get(i) % 256)).put((byte) (sides.get(i) % 256)).put((byte) 0).put((byte) 0)
                    .putShort((short) 1).putShort((short) 24).putInt(images.get(i).length).putInt(offset);
            offset += images.get(i).length;
        }
        images.forEach(out::put);
        return out.array();
    }

    /** The bitmap of a 24-bit BMP as an ICO stores it: no file header, height doubled, an AND mask after. */
    static byte[] icoBitmap(int side) {
        byte[] bmp = TestImages.encode(TestImages.picture(side, side), "bmp");
        byte[] dib = java.util.Arrays.copyOfRange(bmp, 14, bmp.length);
        java.nio.ByteBuffer.wrap(dib).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8, side * 2);
        byte[] withMask = java.util.Arrays.copyOf(dib, dib.length + ((side + 31) / 32) * 4 * side);
        return withMask;
    }

    @Test
    void bmpAndIcoSources() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("old.bmp"), TestImages.encode(TestImages.picture(120, 90), "bmp"));
        Files.write(images.resolve("png.ico"), ico(List.of(icoBitmap(16), TestImages.png(48, 48)), List.of(16, 48)));
        Files.write(images.resolve("bmp.ico"), ico(List.of(icoBitmap(16), icoBitmap(32)), List.of(16, 32)));
        byte[] bomb = TestImages.encode(TestImages.picture(4, 4), "bmp");
        java.nio.ByteBuffer.wrap(bomb).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(18, 100_000).putInt(22, 100_000);
        Files.write(images.resolve("bomb.bmp"), bomb);
        ImgedgeServer server = start(Map.of("imgedge.processing.auto_formats", List.of()));
        image(get(server, "/_/w:60/plain/local:///old.bmp@png"), ImageFormat.PNG, 60, 45);
        image(get(server, "/_/w:24/plain/local:///png.ico@png"), ImageFormat.PNG, 24, 24);
        image(get(server, "/_/w:16/plain/local:///bmp.ico@png"), ImageFormat.PNG, 16, 16);
        HttpResponse<byte[]> refused = get(server, "/_/w:10/plain/local:///bomb.bmp");
        assertEquals(422, refused.statusCode(), new String(refused.body(), StandardCharsets.UTF_8));
    }

    static String b58(String url) {
        return Base58.encode(url.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void hiveImagehosterUrls() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("wide.png", TestImages.png(2000, 1000));
            String url = origin.url("/img/wide.png");
            ImgedgeServer server = start(Map.of("imgedge.hive.enabled", true, "imgedge.hive.own_hosts", List.of("images.hive.blog")));
            image(get(server, "/p/" + b58(url) + "?width=100&height=100"), ImageFormat.PNG, 100, 100);
            image(get(server, "/p/" + b58(url) + "?width=100&height=100&mode=fit"), ImageFormat.PNG, 100, 50);
            image(get(server, "/p/" + b58(url)), ImageFormat.PNG, 1280, 640);
            image(get(server, "/p/" + b58(url) + "?width=64&format=webp"), ImageFormat.WEBP, 64, 32);
            String nested = "https://images.hive.blog/p/" + b58(url) + "?width=10";
            image(get(server, "/p/" + b58(nested) + "?width=80&mode=fit"), ImageFormat.PNG, 80, 40);
            assertEquals(400, get(server, "/p/" + b58(url) + "?mode=stretch").statusCode());
            assertEquals(400, get(server, "/p/0OIl").statusCode());

            HttpResponse<byte[]> legacy = get(server, "/100x0/" + url);
            assertEquals(301, legacy.statusCode());
            String location = legacy.headers().firstValue("location").orElseThrow();
            assertEquals("/p/" + b58(url) + "?format=match&mode=fit&width=100", location);
            image(get(server, location), ImageFormat.PNG, 100, 50);
            assertEquals(1, origin.hits("/img/wide.png"), "every size came from one fetch");

            ImgedgeServer off = start(Map.of());
            assertEquals(404, get(off, "/p/" + b58(url)).statusCode());
            assertEquals(404, get(off, "/100x0/" + url).statusCode());
        }
    }

    @Test
    void infoDescribesTheSource() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("anim.gif"), TestImages.animatedGif(30, 20, 4));
        Files.write(dir.resolve("images/photo.jpg"), TestImages.jpeg(400, 300));
        ImgedgeServer server = start(Map.of());
        HttpResponse<byte[]> photo = get(server, "/info/_/plain/local:///photo.jpg");
        assertEquals(200, photo.statusCode());
        JsonNode json = new ObjectMapper().readTree(photo.body());
        assertEquals("jpg", json.get("format").asText());
        assertEquals(400, json.get("width").asInt());
        assertEquals(300, json.get("height").asInt());
        assertEquals(1, json.get("frames").asInt());
        assertEquals(1, json.get("orientation").asInt());
        JsonNode gif = new ObjectMapper().readTree(get(server, "/info/_/plain/local:///anim.gif").body());
        assertEquals("gif", gif.get("format").asText());
        assertEquals(4, gif.get("frames").asInt());
        assertEquals(404, get(server, "/info/_/plain/local:///missing.jpg").statusCode());
        assertTrue(new String(get(server, "/info/_/plain/ftp://x").body(), StandardCharsets.UTF_8).contains("scheme"));
    }
}
