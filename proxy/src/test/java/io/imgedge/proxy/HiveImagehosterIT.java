package io.imgedge.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.imgedge.proxy.hive.Base58;
import io.imgedge.proxy.hive.HiveKeys;
import io.imgedge.proxy.hive.HiveTestKeys;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Hive imagehoster's own tests (openhive-network/imagehoster test/proxy.ts, upload.ts, app.ts),
 * each named after its case, and the upload checks of its upload.ts, on a real node with a real
 * loopback origin and a loopback Hive API node answering from a recorded account. Uploads are
 * signed as Hive clients sign them (dhive's PrivateKey.fromSeed and sign).
 */
class HiveImagehosterIT {
    /** Where the node says it is: never resolved, so anything served from it comes from the store. */
    static final String SERVICE = "http://images.hive.test";
    static final BigInteger FOO_POSTING = HiveTestKeys.fromSeed("foo");
    static final BigInteger FOO_ACTIVE = HiveTestKeys.fromSeed("foo-active");
    static final BigInteger FOO_OWNER = HiveTestKeys.fromSeed("foo-owner");
    static final BigInteger BAR = HiveTestKeys.fromSeed("bar");

    @RegisterExtension
    final Harness harness = new Harness();

    TestOrigin origin;
    HiveRpcNode rpc;
    /** Like the imagehoster's test.jpg: a 1920x1280 photo (its tests expect 1280x853 and 100x67). */
    final byte[] photo = TestImages.jpeg(1920, 1280);

    ImgedgeServer node(Map<String, Object> more, HiveRpcNode... nodes) throws Exception {
        if (origin == null) {
            origin = harness.origin();
        }
        origin.put("test.jpg", photo);
        Map<String, Object> keys = new HashMap<>(Map.of("imgedge.hive.enabled", true, "imgedge.hive.service_url", SERVICE,
                "imgedge.hive.rpc_nodes", Stream.of(nodes).map(HiveRpcNode::url).toList(),
                "imgedge.hive.rpc_timeout", "1s", "imgedge.processing.auto_formats", List.of()));
        keys.putAll(more);
        return harness.node(Harness.loopbackOrigins(keys));
    }

    ImgedgeServer node() throws Exception {
        rpc = harness.closeLater(new HiveRpcNode());
        rpc.add("foo", HiveTestKeys.publicKey(FOO_POSTING), HiveTestKeys.publicKey(FOO_ACTIVE),
                HiveTestKeys.publicKey(FOO_OWNER), "10525900772718");
        rpc.add("bar", HiveTestKeys.publicKey(BAR), HiveTestKeys.publicKey(FOO_POSTING), HiveTestKeys.publicKey(BAR),
                "10525900772718");
        rpc.add("newbie", HiveTestKeys.publicKey(BAR), HiveTestKeys.publicKey(BAR), HiveTestKeys.publicKey(BAR),
                "-1000000000000");
        return node(Map.of(), rpc);
    }

    static String b58(String url) {
        return Base58.encode(url.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<byte[]> get(ImgedgeServer server, String path) throws Exception {
        return Harness.get(server, path);
    }

    /** GET, following one redirect as the imagehoster's tests do (needle follow_max: 1). */
    static HttpResponse<byte[]> follow(ImgedgeServer server, String path) throws Exception {
        HttpResponse<byte[]> first = get(server, path);
        return first.statusCode() == 301 ? get(server, first.headers().firstValue("location").orElseThrow()) : first;
    }

    static BufferedImage image(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        return TestImages.decode(response.body());
    }

    static String errorName(HttpResponse<byte[]> response) throws IOException {
        return HiveRpcNode.JSON.readTree(response.body()).path("error").path("name").asText();
    }

    /** A multipart body as needle sends the imagehoster's test upload: a text field, then the file. */
    static byte[] multipart(String boundary, byte[] data, String filename) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"foo\"\r\n\r\nbar\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"image_file\"; filename=\"" + filename
                + "\"\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static HttpResponse<byte[]> post(ImgedgeServer server, String path, byte[] data, String filename) throws Exception {
        String boundary = "----imgedge" + Long.toHexString(Arrays.hashCode(data));
        return Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).header("Origin", "https://hive.blog")
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, data, filename))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** upload.ts's uploadImage: sign sha256("ImageSigningChallenge" || data) with the key, POST /{account}/{signature}. */
    static HttpResponse<byte[]> upload(ImgedgeServer server, String account, BigInteger key, byte[] data) throws Exception {
        return post(server, "/" + account + "/" + HiveTestKeys.sign(key, HiveKeys.challenge(data)), data, "test.jpg");
    }

    /** The objects under the test's store directories. */
    long stored() throws IOException {
        try (Stream<Path> files = Files.walk(harness.dir())) {
            return files.filter(Files::isRegularFile).filter(f -> f.toString().contains("/store/"))
                    .filter(f -> HiveKeys.isUploadKey(f.getFileName().toString())).count();
        }
    }

    @Test
    void appShouldHealthcheck() throws Exception {
        ImgedgeServer server = node();
        for (String path : new String[]{"/.well-known/healthcheck.json", "/", "/healthcheck"}) {
            HttpResponse<byte[]> response = get(server, path);
            assertEquals(200, response.statusCode(), path);
            JsonNode json = HiveRpcNode.JSON.readTree(response.body());
            assertTrue(json.path("ok").asBoolean(), path);
            assertTrue(json.has("version") && json.has("date"), path);
            assertEquals("no-cache", response.headers().firstValue("cache-control").orElseThrow());
        }
    }

    @Test
    void proxyShouldProxy() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> response = follow(server, "/0x0/" + origin.url("/img/test.jpg"));
        BufferedImage image = image(response);
        assertEquals(1280, image.getWidth());
        assertEquals(853, image.getHeight());
        assertEquals("image/jpeg", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("public,max-age=29030400,immutable", response.headers().firstValue("cache-control").orElseThrow());
    }

    @Test
    void proxyShouldProxyAndResizeThenServeWhenTheSourceIsGone() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> redirect = get(server, "/100x0/" + origin.url("/img/test.jpg"));
        assertEquals(301, redirect.statusCode());
        assertEquals("/p/" + b58(origin.url("/img/test.jpg")) + "?format=match&mode=fit&width=100",
                redirect.headers().firstValue("location").orElseThrow());
        BufferedImage image = image(follow(server, "/100x0/" + origin.url("/img/test.jpg")));
        assertEquals(100, image.getWidth());
        assertEquals(67, image.getHeight());
        // "should proxy stored image when source is gone"
        origin.remove("test.jpg");
        BufferedImage again = image(follow(server, "/100x0/" + origin.url("/img/test.jpg")));
        assertEquals(100, again.getWidth());
        assertEquals(67, again.getHeight());
    }

    @Test
    void proxyShouldProxyUsingNewApi() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> response = get(server, "/p/" + b58(origin.url("/img/test.jpg")) + "?width=100&height=100&format=webp");
        BufferedImage image = image(response);
        assertEquals(100, image.getWidth());
        assertEquals(100, image.getHeight());
        assertEquals("image/webp", response.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void proxyShouldResolveDoubleProxiedImages() throws Exception {
        ImgedgeServer server = node();
        String url1 = SERVICE + "/p/" + b58(origin.url("/img/test.jpg")) + "?width=100&height=100";
        BufferedImage image = image(get(server, "/p/" + b58(url1) + "?width=200"));
        assertEquals(200, image.getWidth());
        assertEquals(133, image.getHeight(), "this would be 200 if the first url wasn't stripped");
    }

    @Test
    void uploadShouldUploadImageAndProxyDirectlyFromUploadStore() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> response = upload(server, "foo", FOO_POSTING, photo);
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        assertEquals("https://hive.blog", response.headers().firstValue("access-control-allow-origin").orElseThrow());
        String url = HiveRpcNode.JSON.readTree(response.body()).path("url").asText();
        String[] parts = url.split("/");
        String key = parts[parts.length - 2];
        assertEquals(SERVICE + "/" + key + "/test.jpg", url);
        assertEquals(HiveKeys.upload(photo), key);
        HttpResponse<byte[]> served = get(server, "/" + key + "/bla.bla");
        assertEquals(200, served.statusCode());
        assertArrayEquals(photo, served.body(), "file same");
        assertEquals("image/jpeg", served.headers().firstValue("content-type").orElseThrow());
        assertEquals("public,max-age=29030400,immutable", served.headers().firstValue("cache-control").orElseThrow());
        // "should proxy directly from upload store": the service URL does not resolve, the store answers
        BufferedImage proxied = image(follow(server, "/0x0/" + url));
        assertEquals(1280, proxied.getWidth());
        assertEquals(1, stored(), "one copy: the upload's");
        assertEquals(404, get(server, "/" + HiveKeys.upload(new byte[]{1}) + "/x.jpg").statusCode());
    }

    @Test
    void theChecksumUploadAndTheActiveKeyAreAccepted() throws Exception {
        ImgedgeServer server = node();
        byte[] png = TestImages.png(40, 30);
        HttpResponse<byte[]> checksum = post(server, "/cs/foo/" + HiveTestKeys.sign(FOO_POSTING, HiveKeys.checksumChallenge(png)),
                png, "a b.png");
        assertEquals(200, checksum.statusCode(), new String(checksum.body(), StandardCharsets.UTF_8));
        assertEquals(SERVICE + "/" + HiveKeys.upload(png) + "/a%20b.png",
                HiveRpcNode.JSON.readTree(checksum.body()).path("url").asText());
        byte[] other = TestImages.png(41, 30);
        assertEquals(200, upload(server, "foo", FOO_ACTIVE, other).statusCode(), "the active key signs too");
        assertEquals(2, stored());
    }

    /** Each check of upload.ts answers its status and name, and leaves nothing stored. */
    @Test
    void refusedUploadsStoreNothing() throws Exception {
        ImgedgeServer server = node();
        byte[] png = TestImages.png(20, 20);
        HttpResponse<byte[]> otherKey = upload(server, "foo", BAR, png);
        assertEquals(400, otherKey.statusCode());
        assertEquals("invalid_signature", errorName(otherKey));
        HttpResponse<byte[]> owner = upload(server, "foo", FOO_OWNER, png);
        assertEquals("invalid_signature", errorName(owner), "the owner key does not sign uploads");
        HttpResponse<byte[]> otherImage = post(server, "/foo/" + HiveTestKeys.sign(FOO_POSTING, HiveKeys.challenge(photo)),
                png, "x.png");
        assertEquals("invalid_signature", errorName(otherImage), "a signature of other bytes");
        HttpResponse<byte[]> garbage = post(server, "/foo/not-a-signature", png, "x.png");
        assertEquals(400, garbage.statusCode());
        assertEquals("invalid_signature", errorName(garbage));
        HttpResponse<byte[]> unknown = upload(server, "nobody", FOO_POSTING, png);
        assertEquals(404, unknown.statusCode());
        assertEquals("no_such_account", errorName(unknown));
        HttpResponse<byte[]> lowRep = upload(server, "newbie", BAR, png);
        assertEquals(403, lowRep.statusCode());
        assertEquals("deplorable", errorName(lowRep));
        HttpResponse<byte[]> notImage = upload(server, "foo", FOO_POSTING, "<html>hi</html>".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, notImage.statusCode());
        assertEquals("invalid_image", errorName(notImage));
        assertEquals(0, stored());
    }

    @Test
    void theBlacklistAndTheQuota() throws Exception {
        rpc = harness.closeLater(new HiveRpcNode());
        rpc.add("foo", HiveTestKeys.publicKey(FOO_POSTING), HiveTestKeys.publicKey(FOO_ACTIVE),
                HiveTestKeys.publicKey(FOO_OWNER), "10525900772718");
        rpc.add("spammer", HiveTestKeys.publicKey(BAR), HiveTestKeys.publicKey(BAR), HiveTestKeys.publicKey(BAR), "10525900772718");
        ImgedgeServer server = node(Map.of("imgedge.hive.upload.max", 2, "imgedge.hive.blacklist.accounts", List.of("spammer")), rpc);
        HttpResponse<byte[]> blacklisted = upload(server, "spammer", BAR, TestImages.png(9, 9));
        assertEquals(451, blacklisted.statusCode());
        assertEquals("blacklisted", errorName(blacklisted));
        assertEquals(200, upload(server, "foo", FOO_POSTING, TestImages.png(10, 10)).statusCode());
        assertEquals(200, upload(server, "foo", FOO_POSTING, TestImages.png(11, 10)).statusCode());
        HttpResponse<byte[]> spent = upload(server, "foo", FOO_POSTING, TestImages.png(12, 10));
        assertEquals(429, spent.statusCode());
        assertEquals("qouta_exceeded", errorName(spent));
        assertEquals(2, stored());
    }

    @Test
    void bodiesMustBeMultipartWithALengthWithinTheLimit() throws Exception {
        ImgedgeServer server = node(Map.of("imgedge.hive.max_image_size", 1000), rpc = harness.closeLater(new HiveRpcNode()));
        String signature = HiveTestKeys.sign(FOO_POSTING, HiveKeys.challenge(photo));
        HttpResponse<byte[]> tooLarge = post(server, "/foo/" + signature, photo, "big.jpg");
        assertEquals(413, tooLarge.statusCode());
        assertEquals("payload_too_large", errorName(tooLarge));
        HttpResponse<byte[]> plain = Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.httpAddress().getPort() + "/foo/" + signature)).header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[10])).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(400, plain.statusCode());
        assertEquals("bad_request", errorName(plain));
        assertEquals(411, rawStatus(server, "POST /foo/" + signature + " HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data;"
                + " boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        assertEquals(0, rpc.calls(), "refused before the account is asked for");
    }

    /** A body cut short (the client dies mid-upload) is never checked or stored. */
    @Test
    void aTruncatedUploadStoresNothing() throws Exception {
        ImgedgeServer server = node();
        String boundary = "cut";
        byte[] body = multipart(boundary, photo, "test.jpg");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.httpAddress().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /foo/" + HiveTestKeys.sign(FOO_POSTING, HiveKeys.challenge(photo)) + " HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
        }
        assertEquals(200, get(server, "/health").statusCode(), "the node carries on");
        assertEquals(0, rpc.calls());
        assertEquals(0, stored());
    }

    /** RPC nodes that hang, fail or lie are passed over for the next; with none left the upload is 503. */
    @Test
    void rpcNodesThatHangFailOrLieArePassedOver() throws Exception {
        HiveRpcNode hanging = harness.closeLater(new HiveRpcNode());
        hanging.mode = HiveRpcNode.Mode.HANG;
        HiveRpcNode lying = harness.closeLater(new HiveRpcNode());
        lying.mode = HiveRpcNode.Mode.LIE;
        HiveRpcNode failing = harness.closeLater(new HiveRpcNode());
        failing.mode = HiveRpcNode.Mode.FAIL;
        HiveRpcNode good = harness.closeLater(new HiveRpcNode());
        good.add("foo", HiveTestKeys.publicKey(FOO_POSTING), HiveTestKeys.publicKey(FOO_ACTIVE),
                HiveTestKeys.publicKey(FOO_OWNER), "10525900772718");
        ImgedgeServer server = node(Map.of(), hanging, lying, failing, good);
        assertEquals(200, upload(server, "foo", FOO_POSTING, TestImages.png(13, 10)).statusCode());
        assertEquals(List.of(1, 1, 1, 1), List.of(hanging.calls(), lying.calls(), failing.calls(), good.calls()),
                "each asked once, in turn");
        assertEquals(200, upload(server, "foo", FOO_POSTING, TestImages.png(14, 10)).statusCode());
        assertEquals(1, good.calls(), "the account is remembered");

        ImgedgeServer alone = node(Map.of(), hanging, lying);
        HttpResponse<byte[]> none = upload(alone, "foo", FOO_POSTING, TestImages.png(15, 10));
        assertEquals(503, none.statusCode());
        assertEquals("internal_error", errorName(none));
        assertEquals(2, stored());
    }

    /** proxy.ts answers a source that is not an image 400 invalid_image, cached ten minutes. */
    @Test
    void aNonImageSourceIsInvalidImage() throws Exception {
        ImgedgeServer server = node();
        origin.put("page.html", "<html>not an image</html>".getBytes(StandardCharsets.UTF_8));
        for (String path : new String[]{"/page.html", "/missing.jpg"}) {
            HttpResponse<byte[]> response = get(server, "/p/" + b58(origin.url("/img" + path)) + "?width=10");
            assertEquals(400, response.statusCode(), path);
            assertEquals("invalid_image", errorName(response), path);
            assertEquals("public,max-age=600", response.headers().firstValue("cache-control").orElseThrow(), path);
        }
        HttpResponse<byte[]> badMode = get(server, "/p/" + b58(origin.url("/img/test.jpg")) + "?mode=stretch");
        assertEquals(400, badMode.statusCode());
        assertEquals("invalid_param", errorName(badMode));
    }

    /** legacy /0x0/ of an animated GIF passes it through; mode=cover enlarges; sizes parse like parseInt. */
    @Test
    void gifsPassThroughCoverEnlargesAndSizesParseLikeParseInt() throws Exception {
        ImgedgeServer server = node();
        byte[] gif = TestImages.animatedGif(60, 40, 3);
        origin.put("anim.gif", gif);
        assertArrayEquals(gif, follow(server, "/0x0/" + origin.url("/img/anim.gif")).body());
        origin.put("small.png", TestImages.png(50, 50));
        BufferedImage enlarged = image(get(server, "/p/" + b58(origin.url("/img/small.png")) + "?width=200&height=120"));
        assertEquals(200, enlarged.getWidth());
        assertEquals(120, enlarged.getHeight());
        BufferedImage px = image(get(server, "/p/" + b58(origin.url("/img/test.jpg")) + "?width=100px&height=abc&mode=fit"));
        assertEquals(100, px.getWidth());
        BufferedImage capped = image(get(server, "/p/" + b58(origin.url("/img/small.png")) + "?width=99999&mode=fit"));
        assertEquals(50, capped.getWidth(), "capped, not refused; fit never enlarges");
    }

    static String location(HttpResponse<byte[]> response) {
        assertEquals(302, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        return response.headers().firstValue("location").orElseThrow();
    }

    /** avatar.ts: the profile image of posting_json_metadata (with a version), at small 64, medium 128, large 512. */
    @Test
    void avatarsRedirectToTheProfileImage() throws Exception {
        ImgedgeServer server = node();
        String logo = "https://files.peakd.com/file/peakd-hive/hiveio/Jp2YHc6Q-hive-logo.png";
        HttpResponse<byte[]> avatar = get(server, "/u/hiveio/avatar");
        assertEquals("/p/" + b58(logo) + "?width=128&height=128", location(avatar), "the recorded account's profile image");
        assertEquals("public,max-age=86400", avatar.headers().firstValue("cache-control").orElseThrow());
        assertTrue(avatar.headers().firstValue("server-timing").orElseThrow().startsWith("api;dur="));
        assertEquals("/p/" + b58(logo) + "?width=64&height=64", location(get(server, "/u/hiveio/avatar/small")));
        assertEquals("/p/" + b58(logo) + "?width=512&height=512", location(get(server, "/u/hiveio/avatar/large")));
        assertEquals("/p/" + b58(logo) + "?width=128&height=128", location(get(server, "/u/hiveio/avatar/huge")));

        rpc.metadata("foo", "{\"profile\":{\"profile_image\":\"https://example.com/p.png\"}}",
                "{\"profile\":{\"profile_image\":\"https://example.com/old.png\",\"cover_image\":\"http://example.com/c.jpg\"}}");
        assertEquals("/p/" + b58("https://example.com/old.png") + "?width=128&height=128", location(get(server, "/u/foo/avatar")),
                "posting_json_metadata without a version: json_metadata's");
        rpc.metadata("bar", "{\"profile\":{\"version\":2,\"profile_image\":\"javascript:alert(1)\"}}", "");
        String fallback = "https://images.hive.blog/DQmb2HNSGKN3pakguJ4ChCRjgkVuDN9WniFRPmrxoJ4sjR4";
        assertEquals("/p/" + b58(fallback) + "?width=128&height=128", location(get(server, "/u/bar/avatar")),
                "not http(s): the default avatar");
        HttpResponse<byte[]> webp = get(server, "/webp/u/hiveio/avatar/small");
        assertEquals("/u/hiveio/avatar/small", location(webp), "ecency's /webp/ routes move to the plain ones");
        HttpResponse<byte[]> nobody = get(server, "/u/nobody/avatar");
        assertEquals(404, nobody.statusCode());
        assertEquals("no_such_account", errorName(nobody));
    }

    /** cover.ts: the cover image at 1344x240, ten minutes, the default when none is set. */
    @Test
    void coversRedirectToTheCoverImage() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> cover = get(server, "/u/hiveio/cover");
        assertEquals("/p/" + b58("https://files.peakd.com/file/peakd-hive/hiveio/Xe1TcEBi-hive-banner.png") + "?width=1344&height=240",
                location(cover));
        assertEquals("public,max-age=600", cover.headers().firstValue("cache-control").orElseThrow());
        rpc.metadata("foo", "not json", "{\"profile\":{\"cover_image\":\"http://example.com/c.jpg\"}}");
        assertEquals("/p/" + b58("http://example.com/c.jpg") + "?width=1344&height=240", location(get(server, "/u/foo/cover")));
        rpc.metadata("newbie", "", "");
        assertEquals("/p/" + b58("https://images.ecency.com/DQmdA9wjRyGmDwrTza59yLSjCWMEc9sFD5sC4ZU5kL9UMqo/cover_fallback_day.png")
                + "?width=1344&height=240", location(get(server, "/u/newbie/cover")));
    }

    /**
     * proxy.ts "should block blacklisted URL with query params appended" (with a loopback URL in
     * the list in place of its imgur one: were it not refused, it would be served), the upload and
     * account lists, as files in the imagehoster's format.
     */
    @Test
    void shouldBlockBlacklistedUrlWithQueryParamsAppended() throws Exception {
        origin = harness.origin();
        origin.put("bad.jpg", photo);
        byte[] upload = TestImages.png(25, 25);
        Path images = Files.writeString(harness.dir().resolve("images.json"), "{\"urls\": [\"" + origin.url("/img/bad.jpg")
                + "\", \"" + HiveKeys.upload(upload) + "\"]}");
        Path accounts = Files.writeString(harness.dir().resolve("accounts.json"), "[\"foo\"]");
        rpc = harness.closeLater(new HiveRpcNode());
        rpc.add("foo", HiveTestKeys.publicKey(FOO_POSTING), HiveTestKeys.publicKey(FOO_ACTIVE),
                HiveTestKeys.publicKey(FOO_OWNER), "10525900772718");
        ImgedgeServer server = node(Map.of("imgedge.hive.blacklist.images_file", images.toString(),
                "imgedge.hive.blacklist.accounts_file", accounts.toString()), rpc);
        String bad = origin.url("/img/bad.jpg");
        for (String url : new String[]{bad, bad + "?_=1", bad + "#bypass"}) {
            HttpResponse<byte[]> response = get(server, "/p/" + b58(url));
            assertEquals(451, response.statusCode(), url);
            assertEquals("blacklisted", errorName(response));
        }
        assertEquals(0, origin.hits("/img/bad.jpg"), "never fetched");
        assertEquals(451, follow(server, "/0x0/" + bad).statusCode(), "the legacy form too");
        HttpResponse<byte[]> refused = upload(server, "foo", FOO_POSTING, upload);
        assertEquals(451, refused.statusCode());
        assertEquals("blacklisted", errorName(refused));
        assertEquals(0, stored());
    }

    /** koa/cors as app.ts sets it up: a preflight is 204 with the methods and headers uploads need. */
    @Test
    void corsPreflightsAreAnswered() throws Exception {
        ImgedgeServer server = node();
        HttpResponse<byte[]> preflight = Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.httpAddress().getPort() + "/foo/sig")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://peakd.com").header("Access-Control-Request-Method", "POST").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(204, preflight.statusCode());
        assertEquals("https://peakd.com", preflight.headers().firstValue("access-control-allow-origin").orElseThrow());
        assertEquals("GET,POST,OPTIONS", preflight.headers().firstValue("access-control-allow-methods").orElseThrow());
        assertEquals("Content-Type,Authorization", preflight.headers().firstValue("access-control-allow-headers").orElseThrow());
        assertTrue(preflight.headers().firstValue("content-length").isEmpty(), "RFC 9110: no Content-Length on a 204");
        HttpResponse<byte[]> plain = Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.httpAddress().getPort() + "/")).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(404, plain.statusCode(), "no preflight: no route");
        assertEquals(200, get(server, "/health").statusCode(), "the connection carried on");
    }

    /** upload.ts's uploadHsHandler: HiveSigner vouches for the token; the app, the scope and the grant are checked. */
    @Test
    void hiveSignerUploads() throws Exception {
        HiveSignerApi signer = harness.closeLater(new HiveSignerApi());
        rpc = harness.closeLater(new HiveRpcNode());
        ImgedgeServer server = node(Map.of("imgedge.hive.hivesigner.api_url", signer.url()), rpc);
        byte[] png = TestImages.png(33, 22);
        String good = signer.token("foo", "hive.blog", "foo", List.of("vote", "comment"), "hive.blog");
        HttpResponse<byte[]> uploaded = post(server, "/hs/" + good, png, "hs.png");
        assertEquals(200, uploaded.statusCode(), new String(uploaded.body(), StandardCharsets.UTF_8));
        assertEquals(SERVICE + "/" + HiveKeys.upload(png) + "/hs.png", HiveRpcNode.JSON.readTree(uploaded.body()).path("url").asText());
        assertArrayEquals(png, get(server, "/" + HiveKeys.upload(png)).body());
        assertEquals(0, rpc.calls(), "HiveSigner's answer carries the account");

        byte[] other = TestImages.png(34, 22);
        for (String bad : new String[]{signer.token("foo", "other.app", "foo", List.of("comment"), "other.app"),
                signer.token("foo", "hive.blog", "bar", List.of("comment"), "hive.blog"),
                signer.token("foo", "hive.blog", "foo", List.of("vote"), "hive.blog"),
                signer.token("foo", "hive.blog", "foo", List.of("comment"), "someone.else"),
                "eyJub3QiOiJhIHRva2VuIn0.", "not-base64-!!"}) {
            HttpResponse<byte[]> refused = post(server, "/hs/" + bad, other, "x.png");
            assertEquals(400, refused.statusCode(), bad);
            assertEquals("invalid_signature", errorName(refused), bad);
        }
        String unknown = good.substring(0, good.length() - 4) + "abcd";
        assertEquals("invalid_signature", errorName(post(server, "/hs/" + unknown, other, "x.png")), "a token HiveSigner refuses");
        signer.close();
        HttpResponse<byte[]> down = post(server, "/hs/" + good, other, "x.png");
        assertEquals(503, down.statusCode(), "HiveSigner does not answer");
        assertEquals(1, stored());
    }

    static HttpResponse<byte[]> proxyAuth(ImgedgeServer server, String account, BigInteger key, long timestamp, String body)
            throws Exception {
        String challenge = "Authorize image proxy preview for " + account + " at " + Instant.ofEpochMilli(timestamp)
                .atOffset(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"));
        String signature = HiveTestKeys.sign(key, MessageDigest.getInstance("SHA-256").digest(challenge.getBytes(StandardCharsets.UTF_8)));
        return Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort()
                        + "/proxy-auth/" + account + "/" + signature)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "{\"timestamp\":" + timestamp + "}" : body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** proxy-auth.ts: a posting-key signature of the challenge gets a 30-minute token in Redis; /p/ with it is private. */
    @Test
    void proxyAuthTokensForEditorPreviews() throws Exception {
        RedisProcess redis = harness.closeLater(RedisProcess.start(harness.dir()));
        rpc = harness.closeLater(new HiveRpcNode());
        rpc.add("foo", HiveTestKeys.publicKey(FOO_POSTING), HiveTestKeys.publicKey(FOO_ACTIVE),
                HiveTestKeys.publicKey(FOO_OWNER), "10525900772718");
        ImgedgeServer server = node(Map.of("imgedge.redis.uri", redis.uri()), rpc);
        long now = System.currentTimeMillis();
        HttpResponse<byte[]> issued = proxyAuth(server, "foo", FOO_POSTING, now, null);
        assertEquals(200, issued.statusCode(), new String(issued.body(), StandardCharsets.UTF_8));
        JsonNode json = HiveRpcNode.JSON.readTree(issued.body());
        String token = json.path("token").asText();
        assertTrue(token.matches("[0-9a-f]{48}"), token);
        assertEquals(1800, json.path("expires_in").asInt());
        String[] kept = redis.getWithTtl("proxy:auth:token:" + token);
        assertEquals("foo", kept[0], "under the imagehoster's key, so both honour it");
        assertTrue(Integer.parseInt(kept[1]) > 1700, kept[1]);

        String image = "/p/" + b58(origin.url("/img/test.jpg")) + "?width=50";
        assertEquals("private, no-store", get(server, image + "&token=" + token).headers().firstValue("cache-control").orElseThrow());
        assertEquals("public,max-age=29030400,immutable", get(server, image).headers().firstValue("cache-control").orElseThrow());
        assertEquals("public,max-age=29030400,immutable", get(server, image + "&token=" + "0".repeat(48))
                .headers().firstValue("cache-control").orElseThrow(), "an unknown token is no token");
        HttpResponse<byte[]> legacy = get(server, "/100x0/" + origin.url("/img/test.jpg") + "?token=" + token);
        assertEquals("/p/" + b58(origin.url("/img/test.jpg")) + "?format=match&mode=fit&width=100&token=" + token,
                legacy.headers().firstValue("location").orElseThrow(), "legacy-proxy.ts moves the token out of the image URL");
        assertEquals("private,no-store", legacy.headers().firstValue("cache-control").orElseThrow());

        assertEquals("invalid_signature", errorName(proxyAuth(server, "foo", FOO_ACTIVE, now, null)), "the posting key only");
        HttpResponse<byte[]> stale = proxyAuth(server, "foo", FOO_POSTING, now - 6 * 60 * 1000, null);
        assertEquals(400, stale.statusCode());
        assertEquals("bad_request", errorName(stale));
        assertEquals(400, proxyAuth(server, "foo", FOO_POSTING, now, "{\"timestamp\":\"soon\"}").statusCode());
        assertEquals(404, proxyAuth(server, "nobody", FOO_POSTING, now, null).statusCode());

        ImgedgeServer noRedis = node(Map.of(), rpc);
        HttpResponse<byte[]> refused = proxyAuth(noRedis, "foo", FOO_POSTING, now, null);
        assertEquals(400, refused.statusCode(), "Redis not configured");
    }

    private static int rawStatus(ImgedgeServer server, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.httpAddress().getPort())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String line = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(line.substring(9, 12));
        }
    }
}
