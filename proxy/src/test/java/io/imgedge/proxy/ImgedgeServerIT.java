package io.imgedge.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.proxy.config.SigningConfig;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.storage.BlobStore;
import io.imgedge.storage.S3BlobStore;
import io.imgedge.storage.S3Config;
import io.imgedge.storage.TestS3;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TestImages;
import io.minio.MinioClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server, in-process on free loopback ports, against a real loopback HTTP origin,
 * S3Proxy and a local directory. Results are checked by decoding them.
 */
class ImgedgeServerIT {
    static final SigningConfig.KeyPair KEY = new SigningConfig.KeyPair(
            HexFormat.of().parseHex("0123456789abcdef"), HexFormat.of().parseHex("fedcba98"));
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_SOURCE_BYTES = 2 << 20;

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static ImgedgeServer server;
    static HttpClient h1;
    static HttpClient tls;
    static String bucket;

    @BeforeAll
    static void start() throws Exception {
        origin = new TestOrigin();
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("photo.jpg"), TestImages.jpeg(1200, 800));
        Files.write(images.resolve("alpha.png"), TestImages.transparentPng(400, 400));
        Files.write(images.resolve("empty.jpg"), new byte[0]);
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        Files.write(images.resolve("random.jpg"), random);
        Files.writeString(images.resolve("page.png"), "<!doctype html><html><body>hello</body></html>");
        Files.write(images.resolve("truncated.jpg"), TestImages.truncatedJpeg());
        Files.write(images.resolve("bomb.png"), TestImages.pngHeaderOnly(50_000, 50_000));
        Files.writeString(dir.resolve("secret.txt"), "not for you");

        S3Config s3 = TestS3.config();
        MinioClient minio = S3BlobStore.client(s3);
        bucket = TestS3.newBucket(minio);
        BlobStore store = new S3BlobStore(minio, bucket, "s3:" + bucket, 4);
        store.put("originals/wide.png", TestImages.png(900, 300), "image/png");

        Map<String, Object> overrides = new HashMap<>();
        overrides.put("imgedge.server.http.port", 0);
        overrides.put("imgedge.server.https.port", 0);
        overrides.put("imgedge.server.https.self_signed_dir", dir.resolve("tls").toString());
        overrides.put("imgedge.admin.port", 0);
        overrides.put("imgedge.signing.key", HexFormat.of().formatHex(KEY.key()));
        overrides.put("imgedge.signing.salt", HexFormat.of().formatHex(KEY.salt()));
        overrides.put("imgedge.sources.local.root", images.toString());
        overrides.put("imgedge.sources.s3.endpoint", s3.endpoint().toString());
        overrides.put("imgedge.sources.s3.access_key", s3.accessKey());
        overrides.put("imgedge.sources.s3.secret_key", s3.secretKey());
        overrides.put("imgedge.sources.http.allow_loopback", true);
        overrides.put("imgedge.sources.http.allowed_ports", List.of());
        overrides.put("imgedge.sources.http.download_timeout", "1s");
        overrides.put("imgedge.limits.max_source_bytes", MAX_SOURCE_BYTES);
        overrides.put("imgedge.limits.workers", 2);
        overrides.put("imgedge.limits.queue", 2);
        overrides.put("imgedge.cache.disk.dir", dir.resolve("cache/results").toString());
        overrides.put("imgedge.cache.source.dir", dir.resolve("cache/sources").toString());
        overrides.put("imgedge.store.backends", List.of(Map.of("type", "file", "dir", dir.resolve("store").toString())));
        server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), overrides));

        h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        tls = HttpClient.newBuilder().sslContext(trusting(dir.resolve("tls/cert.pem"))).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("imgedge", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    static String signed(String path) {
        return "/" + SignatureVerifier.signature(KEY, path) + path;
    }

    static String http(String pathAndQuery) {
        return "http://127.0.0.1:" + server.httpAddress().getPort() + pathAndQuery;
    }

    static HttpResponse<byte[]> get(String signedPath) throws Exception {
        return h1.send(HttpRequest.newBuilder(URI.create(http(signedPath))).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static BufferedImage image(HttpResponse<byte[]> response, ImageFormat format, int width, int height) {
        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(format.mimeType(), response.headers().firstValue("content-type").orElseThrow());
        assertEquals(format, TestImages.sniff(response.body()));
        BufferedImage decoded = TestImages.decode(response.body());
        assertEquals(width, decoded.getWidth(), "width");
        assertEquals(height, decoded.getHeight(), "height");
        return decoded;
    }

    static JsonNode error(HttpResponse<byte[]> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("no-store", response.headers().firstValue("cache-control").orElseThrow());
        JsonNode body = JSON.readTree(response.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("error").asText().length() > 3);
        assertTrue(!body.toString().contains("Exception") && !body.toString().contains("\tat "), body.toString());
        return body;
    }

    @Test
    void localSourceToWebp() throws Exception {
        HttpResponse<byte[]> response = get(signed("/rs:fill:320:200/plain/local:///photo.jpg@webp"));
        image(response, ImageFormat.WEBP, 320, 200);
        assertEquals("miss", response.headers().firstValue("x-cache").orElseThrow());
        assertEquals(String.valueOf(response.body().length), response.headers().firstValue("content-length").orElseThrow());
        assertTrue(response.headers().firstValue("etag").orElseThrow().matches("\"[A-Za-z0-9_-]{27}\""));
        assertEquals("public, max-age=3600", response.headers().firstValue("cache-control").orElseThrow());
        assertTrue(response.headers().firstValue("server-timing").orElseThrow().contains("transform;dur="));
        assertEquals("nosniff", response.headers().firstValue("x-content-type-options").orElseThrow());
        assertTrue(response.headers().firstValue("content-security-policy").orElseThrow().contains("sandbox"));
        HttpResponse<byte[]> again = get(signed("/resize:fill:320:200/plain/local:///photo.jpg@webp"));
        assertEquals("hit-memory", again.headers().firstValue("x-cache").orElseThrow());
        assertEquals("nosniff", again.headers().firstValue("x-content-type-options").orElseThrow(), "hits too");
        assertTrue(again.headers().firstValue("content-security-policy").orElseThrow().contains("default-src 'none'"));
        assertTrue(again.headers().firstValue("server-timing").orElseThrow().startsWith("cache;dur="));
        assertEquals(response.headers().firstValue("etag"), again.headers().firstValue("etag"));
    }

    @Test
    void httpOriginKeepsSourceFormat() throws Exception {
        origin.put("square.png", TestImages.png(500, 500));
        String source = origin.url("/img/square.png");
        image(get(signed("/rs:fit:100:100/plain/" + source)), ImageFormat.PNG, 100, 100);
        String encoded = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(source.getBytes(StandardCharsets.UTF_8));
        image(get(signed("/w:50/" + encoded + ".jpg")), ImageFormat.JPEG, 50, 50);
        assertEquals(1, origin.hits("/img/square.png"), "the second size comes from the source cache");
    }

    @Test
    void originConnectionsAreKeptAlive() throws Exception {
        origin.put("first.png", TestImages.png(60, 60));
        origin.put("second.png", TestImages.png(70, 70));
        image(get(signed("/w:30/plain/" + origin.url("/img/first.png"))), ImageFormat.PNG, 30, 30);
        image(get(signed("/w:35/plain/" + origin.url("/img/second.png"))), ImageFormat.PNG, 35, 35);
        assertEquals(origin.clientPort("/img/first.png"), origin.clientPort("/img/second.png"),
                "the second fetch reused the pooled connection");
    }

    @Test
    void s3Source() throws Exception {
        image(get(signed("/rs:fit:300:300/plain/s3://" + bucket + "/originals/wide.png@avif")), ImageFormat.AVIF, 300, 100);
        error(get(signed("/w:10/plain/s3://" + bucket + "/originals/missing.png")), 404);
    }

    @Test
    void http2OverTls() throws Exception {
        String url = "https://localhost:" + server.httpsAddress().orElseThrow().getPort()
                + signed("/rs:fill:300:200/plain/local:///photo.jpg@webp");
        HttpResponse<byte[]> h2 = tls.send(HttpRequest.newBuilder(URI.create(url)).version(HttpClient.Version.HTTP_2).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_2, h2.version());
        image(h2, ImageFormat.WEBP, 300, 200);
        HttpResponse<byte[]> h11 = tls.send(HttpRequest.newBuilder(URI.create(url)).version(HttpClient.Version.HTTP_1_1).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_1_1, h11.version());
        image(h11, ImageFormat.WEBP, 300, 200);
        HttpResponse<byte[]> h2error = tls.send(HttpRequest.newBuilder(URI.create(url.replace("/rs:", "/zz:")))
                .version(HttpClient.Version.HTTP_2).build(), HttpResponse.BodyHandlers.ofByteArray());
        error(h2error, 403);
    }

    /** An image over HTTP/2 (its own headers frame, past the stream codec) says what it says over HTTP/1.1; HEAD and 304 too. */
    @Test
    void http2ImagesCarryTheHeadersOfHttp11() throws Exception {
        String url = "https://localhost:" + server.httpsAddress().orElseThrow().getPort()
                + signed("/rs:fill:240:160/plain/local:///photo.jpg@jpg");
        get(signed("/rs:fill:240:160/plain/local:///photo.jpg@jpg")); // made: what follows are memory hits
        HttpResponse<byte[]> h11 = tls.send(HttpRequest.newBuilder(URI.create(url)).version(HttpClient.Version.HTTP_1_1).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> h2 = tls.send(HttpRequest.newBuilder(URI.create(url)).version(HttpClient.Version.HTTP_2).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_2, h2.version());
        assertArrayEquals(h11.body(), h2.body());
        java.util.function.Function<HttpResponse<?>, Map<String, List<String>>> comparable = r -> {
            Map<String, List<String>> headers = new java.util.TreeMap<>(r.headers().map());
            headers.keySet().removeAll(List.of("date", "connection", "keep-alive", ":status", "server-timing"));
            return headers;
        };
        assertEquals(comparable.apply(h11), comparable.apply(h2));
        assertEquals(List.of(String.valueOf(h2.body().length)), h2.headers().allValues("content-length"));
        assertTrue(h2.headers().firstValue("date").isPresent());
        assertTrue(h2.headers().firstValue("server-timing").orElseThrow().startsWith("cache;dur="));
        assertEquals("hit-memory", h2.headers().firstValue("x-cache").orElseThrow());

        HttpResponse<byte[]> head = tls.send(HttpRequest.newBuilder(URI.create(url)).version(HttpClient.Version.HTTP_2)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(comparable.apply(h2), comparable.apply(head));

        HttpResponse<byte[]> notModified = tls.send(HttpRequest.newBuilder(URI.create(url)).version(HttpClient.Version.HTTP_2)
                .header("If-None-Match", h2.headers().firstValue("etag").orElseThrow()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.body().length);
        assertEquals(h2.headers().firstValue("etag"), notModified.headers().firstValue("etag"));
    }

    /** Streams of one HTTP/2 connection share its send window evenly (RFC 9113: no priority tree): each body arrives whole. */
    @Test
    void http2StreamsOfOneConnectionEachGetTheirWholeBody() throws Exception {
        String base = "https://localhost:" + server.httpsAddress().orElseThrow().getPort();
        List<String> paths = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            paths.add(signed("/rs:fill:" + (900 + i) + ":700/plain/local:///photo.jpg@png"));
        }
        // made one by one first (a burst of misses would meet the queue's limit): the streams are hits
        List<byte[]> made = new java.util.ArrayList<>();
        for (String path : paths) {
            made.add(get(path).body());
        }
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> sent = paths.stream()
                .map(path -> tls.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).version(HttpClient.Version.HTTP_2)
                        .build(), HttpResponse.BodyHandlers.ofByteArray()))
                .toList();
        for (int i = 0; i < paths.size(); i++) {
            HttpResponse<byte[]> h2 = sent.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, h2.version());
            assertEquals(200, h2.statusCode(), new String(h2.body(), java.nio.charset.StandardCharsets.UTF_8));
            image(h2, ImageFormat.PNG, 900 + i, 700);
            assertTrue(h2.body().length > 65_535, "larger than the initial window: " + h2.body().length);
            assertArrayEquals(made.get(i), h2.body(), "the same bytes as over HTTP/1.1");
        }
    }

    @Test
    void conditionalAndHeadRequests() throws Exception {
        String path = signed("/w:120/plain/local:///photo.jpg@png");
        HttpResponse<byte[]> first = get(path);
        String etag = first.headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> notModified = h1.send(HttpRequest.newBuilder(URI.create(http(path)))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.body().length);
        assertEquals(etag, notModified.headers().firstValue("etag").orElseThrow());
        HttpResponse<byte[]> head = h1.send(HttpRequest.newBuilder(URI.create(http(path)))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(String.valueOf(first.body().length), head.headers().firstValue("content-length").orElseThrow());
    }

    @Test
    void signatures() throws Exception {
        String path = "/rs:fit:10:10/plain/local:///photo.jpg";
        image(get(signed(path)), ImageFormat.JPEG, 10, 7);
        assertEquals("invalid signature", error(get("/insecure" + path), 403).get("error").asText());
        error(get("/" + SignatureVerifier.signature(KEY, path) + path.replace("10", "11")), 403);
    }

    @Test
    void clientErrors() throws Exception {
        assertTrue(error(get(signed("/bogus:1/plain/local:///photo.jpg")), 400).get("error").asText().contains("bogus"));
        assertTrue(error(get(signed("/w:99999/plain/local:///photo.jpg")), 400).get("error").asText().contains("out of range"));
        error(get(signed("/w:10/plain/gopher://example.com/a.jpg")), 400);
        error(get(signed("/w:10/plain/local:///../secret.txt")), 403);
        error(get(signed("/w:10/plain/local:///nothing.jpg")), 404);
        HttpResponse<byte[]> post = h1.send(HttpRequest.newBuilder(URI.create(http(signed("/w:10/plain/local:///photo.jpg"))))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        error(post, 405);
        error(h1.send(HttpRequest.newBuilder(URI.create(http("/" + "a".repeat(10_000)))).build(),
                HttpResponse.BodyHandlers.ofByteArray()), 414);
    }

    @Test
    void hostileInputsGet4xxAndTheServerKeepsServing() throws Exception {
        assertEquals(415, error(get(signed("/w:10/plain/local:///empty.jpg")), 415).get("status").asInt());
        error(get(signed("/w:10/plain/local:///random.jpg")), 415);
        error(get(signed("/w:10/plain/local:///page.png")), 415);
        error(get(signed("/w:10/plain/local:///truncated.jpg")), 422);
        assertTrue(error(get(signed("/w:10/plain/local:///bomb.png")), 422).get("error").asText().contains("pixels"));
        origin.put("page.html", "<html><body>not an image</body></html>".getBytes(StandardCharsets.UTF_8));
        error(get(signed("/w:10/plain/" + origin.url("/img/page.html"))), 415);
        image(get(signed("/w:30/plain/local:///photo.jpg")), ImageFormat.JPEG, 30, 20);
    }

    @Test
    void originFailures() throws Exception {
        error(get(signed("/w:10/plain/" + origin.url("/img/absent.jpg"))), 404);
        error(get(signed("/w:10/plain/" + origin.url("/status/410"))), 404);
        error(get(signed("/w:10/plain/" + origin.url("/status/500"))), 502);
        error(get(signed("/w:10/plain/" + origin.url("/status/403"))), 502);
        error(get(signed("/w:10/plain/http://127.0.0.1:1/a.jpg")), 502);
        long start = System.nanoTime();
        assertTrue(error(get(signed("/w:10/plain/" + origin.url("/stall"))), 504).get("error").asText().contains("did not answer"));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5000, "504 on time");
    }

    @Test
    void sourceByteLimit() throws Exception {
        origin.put("large.bin", new byte[MAX_SOURCE_BYTES + 1]);
        error(get(signed("/w:10/plain/" + origin.url("/img/large.bin"))), 413);
        error(get(signed("/w:10/plain/" + origin.url("/stream/" + (64L * MAX_SOURCE_BYTES)))), 413);
        // reading stops at the limit: the origin got no further than what socket buffers hold
        assertTrue(origin.streamed() < 16L * MAX_SOURCE_BYTES, origin.streamed() + " bytes streamed");
        image(get(signed("/w:10/plain/local:///photo.jpg")), ImageFormat.JPEG, 10, 7);
    }

    @Test
    void redirects() throws Exception {
        origin.put("moved.png", TestImages.png(40, 20));
        image(get(signed("/w:20/plain/" + origin.url("/redirect/3/moved.png"))), ImageFormat.PNG, 20, 10);
        assertTrue(error(get(signed("/w:20/plain/" + origin.url("/redirect/6/moved.png"))), 502)
                .get("error").asText().contains("redirected too many times"));
    }

    @Test
    void fullWorkerPoolAnswers503AtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Object>> blockers = new java.util.ArrayList<>();
        for (int i = 0; i < server.workers().capacity(); i++) {
            blockers.add(server.workers().submit(() -> {
                release.await();
                return null;
            }));
        }
        try {
            error(get(signed("/w:11/plain/local:///photo.jpg")), 503);
        } finally {
            release.countDown();
            CompletableFuture.allOf(blockers.toArray(CompletableFuture[]::new)).join();
        }
        image(get(signed("/w:11/plain/local:///photo.jpg")), ImageFormat.JPEG, 11, 7);
    }

    @Test
    void admin() throws Exception {
        String base = "http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort();
        get(signed("/w:12/plain/local:///photo.jpg"));
        assertEquals(200, h1.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(200, h1.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(200, get("/health").statusCode());
        String metrics = h1.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("imgedge_requests_total{route=\"image\",status=\"200\"}"), metrics);
        assertTrue(metrics.contains("imgedge_request_seconds_bucket{route=\"image\",le=\"0.001\"}"), metrics);
        assertTrue(metrics.contains("imgedge_transform_queue_depth"), metrics);
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
    }
}
