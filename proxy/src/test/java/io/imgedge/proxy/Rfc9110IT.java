package io.imgedge.proxy;

import io.imgedge.vips.TestImages;
import io.netty.handler.codec.DateFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.imgedge.proxy.Harness.get;
import static io.imgedge.proxy.Harness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What RFC 9110 requires of an origin server and what clients read, on a real server: a Date on
 * every response, Allow on 405, WWW-Authenticate on 401, If-Range; and the small contract
 * points around them (exp, multipart mistakes, SVG uploads, error messages).
 */
class Rfc9110IT {
    static final String TOKEN = "rfc9110-test-token-0123456789";

    @RegisterExtension
    final Harness harness = new Harness();

    ImgedgeServer node() throws Exception {
        Files.write(harness.images().resolve("p.png"), TestImages.png(200, 100));
        return harness.node(Map.of("imgedge.upload.tokens", List.of(Map.of("tenant", "it", "token", TOKEN))));
    }

    static HttpResponse<byte[]> send(ImgedgeServer server, HttpRequest.Builder request) throws Exception {
        return Harness.CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpRequest.Builder at(ImgedgeServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path));
    }

    /** RFC 9110 6.6.1: an origin server with a clock sends Date in 2xx, 3xx and 4xx responses. */
    @Test
    void everyResponseCarriesADate() throws Exception {
        ImgedgeServer server = node();
        String image = "/_/w:50/plain/local:///p.png";
        HttpResponse<byte[]> miss = get(server, image);
        HttpResponse<byte[]> hit = get(server, image);
        assertEquals("hit-memory", hit.headers().firstValue("x-cache").orElseThrow(), "the fast path too");
        String etag = hit.headers().firstValue("etag").orElseThrow();
        for (HttpResponse<byte[]> response : List.of(miss, hit, get(server, image, "If-None-Match", etag),
                get(server, "/health"), get(server, "/nope/plain/local:///missing.png"), get(server, "/favicon.ico"),
                send(server, at(server, image).method("HEAD", HttpRequest.BodyPublishers.noBody())))) {
            String date = response.headers().firstValue("date").orElse(null);
            assertNotNull(date, response.statusCode() + " " + response.uri());
            assertNotNull(DateFormatter.parseHttpDate(date), date);
            long skew = Math.abs(DateFormatter.parseHttpDate(date).getTime() - System.currentTimeMillis());
            assertTrue(skew < 5_000, "now, in IMF-fixdate: " + date);
        }
    }

    /** RFC 9110 15.5.6 (405 needs Allow) and 11.6.1 (401 needs WWW-Authenticate). */
    @Test
    void refusalsSayWhatWouldBeAccepted() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> delete = send(server, at(server, "/_/w:50/plain/local:///p.png").DELETE());
        assertEquals(405, delete.statusCode());
        assertEquals("GET, HEAD", delete.headers().firstValue("allow").orElse(null));
        HttpResponse<byte[]> getUpload = get(server, "/upload");
        assertEquals(405, getUpload.statusCode());
        assertEquals("POST", getUpload.headers().firstValue("allow").orElse(null));
        HttpResponse<byte[]> anonymous = send(server, at(server, "/upload").POST(HttpRequest.BodyPublishers.ofByteArray(
                TestImages.png(10, 10))));
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
    }

    /** RFC 9110 13.1.5: a Range with an If-Range that no longer matches gets the whole representation. */
    @Test
    void ifRangeGivesTheWholeOriginalWhenTheClientsCopyIsAnother() throws Exception {
        ImgedgeServer server = node();
        byte[] png = TestImages.png(120, 80);
        HttpResponse<byte[]> stored = send(server, at(server, "/upload").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)));
        assertEquals(201, stored.statusCode(), text(stored));
        String key = text(stored).replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
        String etag = get(server, "/i/" + key).headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> same = get(server, "/i/" + key, "Range", "bytes=0-9", "If-Range", etag);
        assertEquals(206, same.statusCode());
        assertArrayEquals(Arrays.copyOf(png, 10), same.body());
        HttpResponse<byte[]> other = get(server, "/i/" + key, "Range", "bytes=0-9", "If-Range", "\"another\"");
        assertEquals(200, other.statusCode());
        assertArrayEquals(png, other.body());
        HttpResponse<byte[]> dated = get(server, "/i/" + key, "Range", "bytes=0-9", "If-Range", "Tue, 01 Dec 2026 00:00:00 GMT");
        assertEquals(200, dated.statusCode(), "a date validator cannot match: no Last-Modified");
        assertEquals(png.length, dated.body().length);
    }

    @Test
    void expiryIsKeptOnEveryRouteAndBoundsCaching() throws Exception {
        ImgedgeServer server = node();
        long now = System.currentTimeMillis() / 1000;
        assertEquals(403, get(server, "/_/exp:0/w:50/plain/local:///p.png").statusCode(), "0 is long past");
        assertEquals(403, get(server, "/_/exp:-5/w:50/plain/local:///p.png").statusCode());
        assertEquals(403, get(server, "/info/_/exp:" + (now - 10) + "/plain/local:///p.png").statusCode(), "/info too");
        assertEquals(200, get(server, "/info/_/exp:" + (now + 600) + "/plain/local:///p.png").statusCode());
        HttpResponse<byte[]> soon = get(server, "/_/exp:" + (now + 60) + "/w:50/plain/local:///p.png");
        assertEquals(200, soon.statusCode());
        long maxAge = Long.parseLong(soon.headers().firstValue("cache-control").orElseThrow().replaceAll(".*max-age=(\\d+).*", "$1"));
        assertTrue(maxAge <= 60 && maxAge >= 55, "cached no longer than the URL lives: " + maxAge);
        assertTrue(get(server, "/_/w:50/plain/local:///p.png").headers().firstValue("cache-control").orElseThrow()
                .contains("max-age=3600"), "without exp, the configured max-age");
    }

    /** Multipart mistakes once answered 500 (issue 13). */
    @Test
    void multipartMistakesAre400s() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> raw = send(server, at(server, "/upload").header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "multipart/form-data; boundary=xyz")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestImages.png(10, 10))));
        assertEquals(400, raw.statusCode(), text(raw));
        assertTrue(text(raw).contains("multipart"), text(raw));
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            fields.append("--xyz\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nv\r\n");
        }
        fields.append("--xyz--\r\n");
        HttpResponse<byte[]> many = send(server, at(server, "/upload").header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "multipart/form-data; boundary=xyz")
                .POST(HttpRequest.BodyPublishers.ofString(fields.toString())));
        assertEquals(400, many.statusCode(), text(many));
        assertTrue(text(many).contains("fields"), text(many));
        HttpResponse<byte[]> noBoundary = send(server, at(server, "/upload").header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "multipart/form-data").POST(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(400, noBoundary.statusCode(), text(noBoundary));
    }

    @Test
    void svgUploadsAreRefusedAsTheirKind() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> svg = send(server, at(server, "/upload").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9\" height=\"9\"><g><<<")));
        assertEquals(415, svg.statusCode(), "sniffed as SVG and refused, not parsed: " + text(svg));
    }

    /** An SVG use bomb once cost seconds of a worker per request, and its 422 was not remembered (issue 13). */
    @Test
    void aCostlySourceFailsOnceThenFromMemory() throws Exception {
        TestOrigin origin = harness.origin();
        StringBuilder bomb = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\">"
                + "<defs><rect id=\"l0\" width=\"1\" height=\"1\"/>");
        for (int level = 1; level <= 8; level++) {
            bomb.append("<g id=\"l").append(level).append("\">")
                    .append(("<use href=\"#l" + (level - 1) + "\"/>").repeat(10)).append("</g>");
        }
        origin.put("bomb.svg", bomb.append("</defs><use href=\"#l8\"/></svg>").toString().getBytes(StandardCharsets.UTF_8));
        ImgedgeServer server = harness.node(Harness.loopbackOrigins(Map.of()));
        for (int w = 10; w < 15; w++) {
            HttpResponse<byte[]> refused = get(server, "/_/w:" + w + "/plain/" + origin.url("/img/bomb.svg"));
            assertEquals(422, refused.statusCode(), text(refused));
            assertTrue(text(refused).contains("too complex"), text(refused));
        }
        assertEquals(1, origin.hits("/img/bomb.svg"), "fetched and judged once; the other sizes are refused from memory");
    }

    /** libvips's process-global error text once showed up in other requests' errors (issue 13). */
    @Test
    void errorMessagesAreEachRequestsOwn() throws Exception {
        ImgedgeServer server = node();
        Files.write(harness.images().resolve("cut.jpg"), TestImages.truncatedJpeg());
        Files.write(harness.images().resolve("noise.bin"), "not an image at all".repeat(10).getBytes(StandardCharsets.UTF_8));
        Files.write(harness.images().resolve("huge.png"), TestImages.pngHeaderOnly(20_000, 20_000));
        Map<String, String> expected = Map.of("cut.jpg", "image cannot be decoded: cannot process image",
                "noise.bin", "unsupported image format: unrecognised image format",
                "huge.png", "image exceeds limits: image has 400000000 pixels, limit is 50000000");
        List<CompletableFuture<HttpResponse<byte[]>>> sent = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String name = List.copyOf(expected.keySet()).get(i % 3);
            names.add(name);
            sent.add(Harness.CLIENT.sendAsync(at(server, "/_/w:" + (20 + i) + "/plain/local:///" + name).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < sent.size(); i++) {
            String body = text(sent.get(i).join());
            String message = body.replaceAll(".*\"error\":\"([^\"]*)\".*", "$1");
            assertEquals(expected.get(names.get(i)), message, names.get(i));
            assertFalse(body.toLowerCase().contains("vips"), body);
        }
    }
}
