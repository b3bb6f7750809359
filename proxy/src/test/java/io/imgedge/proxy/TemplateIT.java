package io.imgedge.proxy;

import io.imgedge.proxy.config.SigningConfig;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Template renderings on a real node: signed /t/ URLs with data as base64url JSON or as a query,
 * the product image fetched from a loopback origin (once, then cached with the rendering), and
 * the errors a caller gets for an unknown template, bad data, a bad signature, a failing origin
 * and an image that cannot be decoded.
 */
class TemplateIT {
    static final SigningConfig.KeyPair KEY = new SigningConfig.KeyPair(
            HexFormat.of().parseHex("0123456789abcdef"), HexFormat.of().parseHex("fedcba98"));

    @RegisterExtension
    final Harness harness = new Harness();

    TestOrigin origin;

    ImgedgeServer node() throws Exception {
        return node(Map.of());
    }

    /** A node with the product card of shop-a and the same card as shop-b's ("card-b"). */
    ImgedgeServer node(Map<String, Object> more) throws Exception {
        Path dir = Files.createDirectories(harness.dir().resolve("templates"));
        try (InputStream card = TemplateIT.class.getResourceAsStream("/templates/product-card.json")) {
            String json = new String(card.readAllBytes(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("product-card.json"), json);
            Files.writeString(dir.resolve("card-b.json"), json.replace("\"product-card\"", "\"card-b\"")
                    .replace("\"shop-a\"", "\"shop-b\""));
        }
        if (origin == null) {
            origin = harness.origin();
        }
        origin.put("shoe.jpg", TestImages.jpeg(800, 600));
        origin.put("broken.jpg", TestImages.truncatedJpeg());
        origin.put("bomb.png", TestImages.pngHeaderOnly(50_000, 50_000));
        Map<String, Object> keys = new HashMap<>(Map.of("imgedge.templates.dir", dir.toString(),
                "imgedge.signing.enabled", true, "imgedge.signing.key", HexFormat.of().formatHex(KEY.key()),
                "imgedge.signing.salt", HexFormat.of().formatHex(KEY.salt())));
        keys.putAll(more);
        return harness.node(Harness.loopbackOrigins(keys));
    }

    static String signed(String path) {
        return "/t/" + SignatureVerifier.signature(KEY, path) + path;
    }

    String data(String image, String salePrice) {
        return dataAt(origin.url("/img/" + image), salePrice);
    }

    static String dataAt(String imageUrl, String salePrice) {
        String json = "{\"name\": \"Red running shoe\", \"price\": 59.9, \"sale_price\": " + salePrice + ", \"image\": \""
                + imageUrl + "\"}";
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static String error(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aSignedUrlRendersTheTemplateOnceThenFromTheCache() throws Exception {
        ImgedgeServer server = node();
        String path = signed("/product-card/" + data("shoe.jpg", "39.9") + ".png");
        HttpResponse<byte[]> first = Harness.get(server, path);
        assertEquals(200, first.statusCode(), error(first));
        assertEquals("image/png", first.headers().firstValue("content-type").orElseThrow());
        assertEquals("miss", first.headers().firstValue("x-cache").orElseThrow());
        BufferedImage card = TestImages.decode(first.body());
        assertEquals(600, card.getWidth());
        assertEquals(600, card.getHeight());
        int ribbon = card.getRGB(445, 45);
        assertTrue((ribbon >> 16 & 255) > 200 && (ribbon >> 8 & 255) < 40, "the sale ribbon");
        HttpResponse<byte[]> again = Harness.get(server, path);
        assertEquals("hit-memory", again.headers().firstValue("x-cache").orElseThrow());
        assertEquals(1, origin.hits("/img/shoe.jpg"), "the product image fetched once");

        HttpResponse<byte[]> jpeg = Harness.get(server, signed("/product-card/" + data("shoe.jpg", "59.9")));
        assertEquals("image/jpeg", jpeg.headers().firstValue("content-type").orElseThrow(), "an opaque canvas: JPEG");
        assertEquals(1, origin.hits("/img/shoe.jpg"), "another rendering, the same product image");
    }

    /** As for processing URLs, Accept chooses among the configured formats when the URL names none; a purge drops them all. */
    @Test
    void acceptChoosesTheFormatAndAPurgeDropsEveryRendering() throws Exception {
        ImgedgeServer server = node();
        String path = signed("/product-card/" + data("shoe.jpg", "39.9"));
        HttpResponse<byte[]> webp = Harness.get(server, path, "Accept", "image/webp,*/*");
        assertEquals("image/webp", webp.headers().firstValue("content-type").orElseThrow());
        assertEquals("accept", webp.headers().firstValue("vary").orElseThrow());
        assertEquals(600, TestImages.decode(webp.body()).getWidth());
        assertEquals("hit-memory", Harness.get(server, path, "Accept", "image/webp").headers().firstValue("x-cache").orElseThrow());
        HttpResponse<String> purged = Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.adminAddress().orElseThrow().getPort() + "/purge"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"template\": \"product-card\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, purged.statusCode(), purged.body());
        assertTrue(purged.body().matches("\\{\"purged\":[1-9][0-9]*}"), purged.body());
        assertEquals("miss", Harness.get(server, path, "Accept", "image/webp").headers().firstValue("x-cache").orElseThrow());
    }

    static HttpResponse<String> admin(ImgedgeServer server, String method, String path, String body) throws Exception {
        return Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort()
                + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** PUT, GET and DELETE /templates/{id} on the admin listener: checked whole, kept in the store, in force at once. */
    @Test
    void templatesAreManagedThroughTheAdminApi() throws Exception {
        ImgedgeServer server = node();
        String banner = "{\"id\": \"banner\", \"tenant\": \"shop-c\", \"width\": 300, \"height\": 100, \"background\": \"#0000ff\","
                + " \"layers\": [{\"type\": \"text\", \"text\": \"{title}\", \"color\": \"#ffffff\", \"box\": [10, 10, 280, 80]}]}";
        HttpResponse<String> put = admin(server, "PUT", "/templates/banner", banner);
        assertEquals(200, put.statusCode(), put.body());
        String title = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"title\": \"Price drop\"}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> rendered = Harness.get(server, signed("/banner/" + title + ".png"));
        assertEquals(200, rendered.statusCode(), error(rendered));
        BufferedImage image = TestImages.decode(rendered.body());
        assertEquals(300, image.getWidth());
        assertEquals(0xff, image.getRGB(2, 2) & 0xff, "the blue canvas");

        HttpResponse<String> bad = admin(server, "PUT", "/templates/banner", banner.replace("\"#0000ff\"", "\"blue\""));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("background: 'blue' is not a colour"), bad.body());
        assertEquals(200, Harness.get(server, signed("/banner/" + title + ".png")).statusCode(), "the good version stays");
        String card;
        try (InputStream in = TemplateIT.class.getResourceAsStream("/templates/product-card.json")) {
            card = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(409, admin(server, "PUT", "/templates/product-card", card).statusCode(), "templates.dir's are changed there");
        HttpResponse<String> got = admin(server, "GET", "/templates/banner", null);
        assertEquals(200, got.statusCode());
        assertTrue(got.body().contains("\"shop-c\""), got.body());
        assertEquals(200, admin(server, "DELETE", "/templates/banner", null).statusCode());
        assertEquals(404, Harness.get(server, signed("/banner/" + title + ".png")).statusCode());
        assertEquals(404, admin(server, "GET", "/templates/banner", null).statusCode());
    }

    /** The preview page: the template drawn with its sample data, and the signed URL that draws the same. */
    @Test
    void thePreviewShowsTheSampleAndTheSignedUrl() throws Exception {
        ImgedgeServer server = node();
        String sample = "{\"id\": \"preview-me\", \"tenant\": \"t\", \"width\": 200, \"height\": 80, \"background\": \"#00ff00\","
                + " \"sample\": {\"title\": \"Hello\"}, \"layers\": [{\"type\": \"text\", \"text\": \"{title}\", \"box\": [5, 5, 190, 70]}]}";
        assertEquals(200, admin(server, "PUT", "/templates/preview-me", sample).statusCode());
        HttpResponse<String> page = admin(server, "GET", "/templates/preview-me/preview", null);
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
        String embedded = page.body().replaceAll("(?s).*src=\"data:image/png;base64,([^\"]+)\".*", "$1");
        BufferedImage shown = TestImages.decode(Base64.getDecoder().decode(embedded));
        assertEquals(200, shown.getWidth());
        assertEquals(80, shown.getHeight());
        String url = page.body().replaceAll("(?s).*<code id=\"url\">([^<]+)</code>.*", "$1");
        HttpResponse<byte[]> signedUrl = Harness.get(server, url);
        assertEquals(200, signedUrl.statusCode(), url);
        assertEquals("hit-memory", signedUrl.headers().firstValue("x-cache").orElseThrow(), "the very rendering the page shows");
        assertEquals(404, admin(server, "GET", "/templates/nothing/preview", null).statusCode());
    }

    /** imgproxy's processing options after the template work on the rendering as on a source. */
    @Test
    void processingOptionsWorkOnTheRendering() throws Exception {
        ImgedgeServer server = node();
        String data = data("shoe.jpg", "39.9");
        BufferedImage fitted = TestImages.decode(Harness.get(server, signed("/product-card/rs:fit:300:300/" + data + ".png")).body());
        assertEquals(300, fitted.getWidth());
        assertEquals(300, fitted.getHeight());
        HttpResponse<byte[]> filled = Harness.get(server, signed("/product-card/rs:fill:200:100/q:70/" + data + ".webp"));
        assertEquals("image/webp", filled.headers().firstValue("content-type").orElseThrow());
        BufferedImage cropped = TestImages.decode(filled.body());
        assertEquals(200, cropped.getWidth());
        assertEquals(100, cropped.getHeight());
        HttpResponse<byte[]> bad = Harness.get(server, signed("/product-card/rs:wobble:1/" + data));
        assertEquals(400, bad.statusCode());
        assertTrue(error(bad).contains("rs"), error(bad));
        assertEquals(1, origin.hits("/img/shoe.jpg"), "every size drawn from the one product image");
    }

    /** templates.fonts_dir: a font only that directory has (DejaVu Sans Mono, renamed) is used by its family. */
    @Test
    void aFontOfTheFontsDirIsUsedByItsFamily() throws Exception {
        Path fonts = Files.createDirectories(harness.dir().resolve("fonts"));
        byte[] mono = Files.readAllBytes(Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"));
        for (java.nio.charset.Charset charset : List.of(StandardCharsets.US_ASCII, StandardCharsets.UTF_16BE)) {
            byte[] from = "DejaVu Sans Mono".getBytes(charset);
            byte[] to = "Imgedge Fnt Mono".getBytes(charset);
            for (int i = 0; i + from.length <= mono.length; i++) {
                if (java.util.Arrays.equals(mono, i, i + from.length, from, 0, from.length)) {
                    System.arraycopy(to, 0, mono, i, to.length);
                }
            }
        }
        Files.write(fonts.resolve("own.ttf"), mono);
        ImgedgeServer server = node(Map.of("imgedge.templates.fonts_dir", fonts.toString()));
        int[] widths = new int[2];
        String[] families = {"DejaVu Sans", "Imgedge Fnt Mono"};
        for (int k = 0; k < 2; k++) {
            String id = "font-" + k;
            assertEquals(200, admin(server, "PUT", "/templates/" + id, "{\"id\": \"" + id + "\", \"tenant\": \"t\", \"width\": 400,"
                    + " \"height\": 60, \"layers\": [{\"type\": \"text\", \"text\": \"iiiiiiii\", \"font\": \"" + families[k]
                    + "\", \"size\": 24, \"box\": [0, 0, 400, 60]}]}").statusCode());
            BufferedImage image = TestImages.decode(Harness.get(server, signed("/" + id + "/e30.png")).body());
            int left = Integer.MAX_VALUE;
            int right = -1;
            for (int y = 0; y < 60; y++) {
                for (int x = 0; x < 400; x++) {
                    if ((image.getRGB(x, y) & 0xff) < 128) {
                        left = Math.min(left, x);
                        right = Math.max(right, x);
                    }
                }
            }
            widths[k] = right - left;
        }
        assertTrue(widths[1] > widths[0] * 3 / 2, "monospaced i's are wide: " + widths[1] + " against " + widths[0]);
    }

    @Test
    void theQueryFormIsSignedWithItsQuery() throws Exception {
        ImgedgeServer server = node();
        String query = "name=" + URLEncoder.encode("Blue shoe", StandardCharsets.UTF_8) + "&price=20&sale_price=10&image="
                + URLEncoder.encode(origin.url("/img/shoe.jpg"), StandardCharsets.UTF_8);
        String path = "/product-card?" + query;
        HttpResponse<byte[]> response = Harness.get(server, "/t/" + SignatureVerifier.signature(KEY, path) + path);
        assertEquals(200, response.statusCode(), error(response));
        assertEquals(403, Harness.get(server, "/t/" + SignatureVerifier.signature(KEY, path) + path.replace("price=20", "price=2"))
                .statusCode(), "a field changed: the signature no longer holds");
    }

    /** A customer whose product images are slow is throttled; another keeps rendering; what is cached is served. */
    @Test
    void aSlowCustomerIsThrottledWhileAnotherRenders() throws Exception {
        ImgedgeServer server = node(Map.of("imgedge.templates.throttle.slow", "50ms", "imgedge.templates.throttle.slow_limit", 2,
                "imgedge.templates.throttle.slow_window", "10m"));
        // each render has a slow download (and maybe a slow draw): past two slow operations, shop-a waits
        assertEquals(200, Harness.get(server, signed("/product-card/" + dataAt(origin.url("/slow/150/shoe.jpg?n=1"), "1")))
                .statusCode(), "the first slow render is served");
        HttpResponse<byte[]> throttled = null;
        int tries = 1;
        while (throttled == null && tries < 5) {
            tries++;
            HttpResponse<byte[]> next = Harness.get(server, signed("/product-card/"
                    + dataAt(origin.url("/slow/150/shoe.jpg?n=" + tries), "1")));
            throttled = next.statusCode() == 429 ? next : null;
        }
        assertTrue(throttled != null, "throttled within four slow renders");
        assertTrue(Integer.parseInt(throttled.headers().firstValue("retry-after").orElseThrow()) >= 1);
        assertTrue(error(throttled).contains("slow"), error(throttled));
        assertEquals(200, Harness.get(server, signed("/card-b/" + data("shoe.jpg", "1"))).statusCode(), "shop-b renders on");
        HttpResponse<byte[]> cached = Harness.get(server, signed("/product-card/" + dataAt(origin.url("/slow/150/shoe.jpg?n=1"), "1")));
        assertEquals(200, cached.statusCode(), "a cached rendering of the throttled customer is served");
        assertEquals("hit-memory", cached.headers().firstValue("x-cache").orElseThrow());
        String metrics = admin(server, "GET", "/metrics", null).body();
        assertTrue(metrics.contains("imgedge_template_renders_total{outcome=\"throttled_slow\",tenant=\"shop-a\"} 1.0"), metrics);
        assertTrue(metrics.contains("imgedge_template_renders_total{outcome=\"rendered\",tenant=\"shop-b\"} 1.0"), metrics);
        assertTrue(metrics.matches("(?s).*imgedge_template_slow_total\\{operation=\"download\",tenant=\"shop-a\"} [1-9].*"), metrics);
    }

    /** Past the free slots, a customer has its share of renders in flight; another customer is not held up by it. */
    @Test
    void aCustomerHasItsShareOfRendersInFlight() throws Exception {
        ImgedgeServer server = node(Map.of("imgedge.templates.throttle.start", 0, "imgedge.templates.throttle.per_customer", 1,
                "imgedge.templates.throttle.max_in_flight", 4));
        CompletableFuture<HttpResponse<byte[]>> held = Harness.CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.httpAddress().getPort() + signed("/product-card/" + dataAt(origin.url("/gate/shoe.jpg"), "1"))))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(origin.gateReached.await(20, TimeUnit.SECONDS), "the first render waits for its product image");
        HttpResponse<byte[]> second = Harness.get(server, signed("/product-card/" + data("shoe.jpg", "2")));
        assertEquals(429, second.statusCode(), "shop-a has its one render in flight");
        assertEquals(200, Harness.get(server, signed("/card-b/" + data("shoe.jpg", "2"))).statusCode(), "shop-b has its own share");
        origin.openGate();
        assertEquals(200, held.get(20, TimeUnit.SECONDS).statusCode());
        assertEquals(200, Harness.get(server, signed("/product-card/" + data("shoe.jpg", "2"))).statusCode(), "the slot given back");
    }

    /** The in-flight limits hold for the cluster: two nodes sharing a Redis, a burst of one customer's renders over both. */
    @Test
    void theInFlightLimitsHoldAcrossTwoNodesSharingRedis() throws Exception {
        RedisProcess redis = harness.closeLater(RedisProcess.start(harness.dir()));
        Map<String, Object> shared = Map.of("imgedge.redis.uri", redis.uri(), "imgedge.templates.throttle.start", 0,
                "imgedge.templates.throttle.per_customer", 2, "imgedge.templates.throttle.max_in_flight", 3);
        ImgedgeServer a = node(shared);
        ImgedgeServer b = node(shared);
        Eventually.until(() -> ProtectionIT.fallback(a) == 0 && ProtectionIT.fallback(b) == 0, "both nodes count in Redis");
        List<CompletableFuture<HttpResponse<byte[]>>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ImgedgeServer node = i % 2 == 0 ? a : b;
            burst.add(Harness.CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpAddress().getPort()
                    + signed("/product-card/" + dataAt(origin.url("/gate/shoe.jpg?n=" + i), "1")))).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        Eventually.until(() -> origin.hits("/gate/shoe.jpg") == 2 && burst.stream().filter(CompletableFuture::isDone).count() == 4,
                () -> "two renders of shop-a in flight over both nodes, four refused: " + origin.hits("/gate/shoe.jpg"));
        assertEquals(4, burst.stream().filter(CompletableFuture::isDone).filter(f -> f.join().statusCode() == 429).count());
        assertEquals(200, Harness.get(b, signed("/card-b/" + data("shoe.jpg", "3"))).statusCode(), "shop-b takes the third slot");
        origin.openGate();
        for (CompletableFuture<HttpResponse<byte[]>> render : burst) {
            int status = render.get(20, TimeUnit.SECONDS).statusCode();
            assertTrue(status == 200 || status == 429, "status " + status);
        }
        assertEquals(2, burst.stream().filter(f -> f.join().statusCode() == 200).count());
    }

    @Test
    void errorsSayWhatIsWrong() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> unknown = Harness.get(server, signed("/no-such/" + data("shoe.jpg", "1")));
        assertEquals(404, unknown.statusCode());
        String noPrice = Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"name\": \"x\", \"sale_price\": 1, "
                + "\"image\": \"" + origin.url("/img/shoe.jpg") + "\"}").getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> missing = Harness.get(server, signed("/product-card/" + noPrice));
        assertEquals(400, missing.statusCode());
        assertTrue(error(missing).contains("layer 4 (text): field 'price': missing"), error(missing));
        assertEquals(400, Harness.get(server, signed("/product-card/not-base64!")).statusCode());
        assertEquals(400, Harness.get(server, signed("/product-card/" + data("shoe.jpg", "1") + ".exe")).statusCode());
        assertEquals(403, Harness.get(server, "/t/AAAA/product-card/" + data("shoe.jpg", "1")).statusCode());
        assertEquals(404, Harness.get(server, signed("/product-card/" + data("gone.jpg", "1"))).statusCode(),
                "the product image is missing at its origin");
        HttpResponse<byte[]> broken = Harness.get(server, signed("/product-card/" + data("broken.jpg", "1")));
        assertEquals(422, broken.statusCode(), error(broken));
        HttpResponse<byte[]> bomb = Harness.get(server, signed("/product-card/" + data("bomb.png", "1")));
        assertEquals(422, bomb.statusCode(), "a 2.5 gigapixel product image is refused from its header: " + error(bomb));
        assertEquals(200, Harness.get(server, signed("/product-card/" + data("shoe.jpg", "7"))).statusCode(), "and the node renders on");
        HttpResponse<byte[]> local = Harness.get(server, signed("/product-card/" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"name\": \"x\", \"price\": 1, \"sale_price\": 1, \"image\": \"file:///etc/passwd\"}"
                        .getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, local.statusCode(), "no such source scheme");
        assertEquals(200, Harness.get(server, "/health").statusCode());
    }
}
