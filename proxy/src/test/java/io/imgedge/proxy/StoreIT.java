package io.imgedge.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.storage.BlobStore;
import io.imgedge.storage.ContentKey;
import io.imgedge.storage.FileBlobStore;
import io.imgedge.storage.S3BlobStore;
import io.imgedge.storage.S3ProxyProcess;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upload store on two real S3 server processes (S3Proxy standing in for two MinIO servers)
 * that the tests stop and restart: uploads, reads from either backend alone, failover, quorum,
 * verify and repair, a crash in the middle of an upload, and bad uploads.
 */
class StoreIT {
    static final String TOKEN = "store-it-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path shared;
    static S3ProxyProcess a;
    static S3ProxyProcess b;

    @TempDir
    Path dir;
    String bucket;
    final List<ImgedgeServer> servers = new ArrayList<>();

    @BeforeAll
    static void startBackends() throws Exception {
        a = S3ProxyProcess.start(shared.resolve("a"));
        b = S3ProxyProcess.start(shared.resolve("b"));
    }

    @AfterAll
    static void stopBackends() throws Exception {
        a.close();
        b.close();
    }

    @AfterEach
    void stopServers() throws Exception {
        servers.forEach(ImgedgeServer::close);
        a.start();
        b.start();
    }

    /** Each test has buckets of its own on both servers. */
    String bucket() {
        if (bucket == null) {
            bucket = "s-" + UUID.randomUUID().toString().substring(0, 12);
        }
        return bucket;
    }

    static Map<String, Object> s3(S3ProxyProcess server, String bucket, String name) {
        return Map.of("type", "s3", "name", name, "endpoint", server.endpoint().toString(), "bucket", bucket,
                "access_key", S3ProxyProcess.ACCESS_KEY, "secret_key", S3ProxyProcess.SECRET_KEY, "timeout", "3s");
    }

    BlobStore direct(S3ProxyProcess server) {
        return new S3BlobStore(S3BlobStore.client(server.config()), bucket(), "direct", 4);
    }

    ImgedgeServer start(List<Map<String, Object>> backends, int quorum, Map<String, Object> extra) throws Exception {
        String name = "n" + servers.size();
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("imgedge.server.http.port", 0);
        overrides.put("imgedge.server.https.enabled", false);
        overrides.put("imgedge.admin.port", 0);
        overrides.put("imgedge.signing.enabled", false);
        overrides.put("imgedge.cache.disk.dir", dir.resolve(name + "/results").toString());
        overrides.put("imgedge.cache.source.dir", dir.resolve(name + "/sources").toString());
        overrides.put("imgedge.store.backends", backends);
        overrides.put("imgedge.store.write_quorum", quorum);
        overrides.put("imgedge.store.health_interval", "200ms");
        overrides.put("imgedge.upload.tokens", List.of(Map.of("tenant", "it", "token", TOKEN)));
        overrides.put("imgedge.upload.burst", 1000);
        overrides.putAll(extra);
        ImgedgeServer server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), overrides));
        servers.add(server);
        return server;
    }

    ImgedgeServer both(int quorum) throws Exception {
        return start(List.of(s3(a, bucket(), "a"), s3(b, bucket(), "b")), quorum, Map.of());
    }

    static HttpResponse<byte[]> upload(ImgedgeServer server, byte[] body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base(server).resolve("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode uploaded(ImgedgeServer server, byte[] body, int status) throws Exception {
        HttpResponse<byte[]> response = upload(server, body, TOKEN);
        assertEquals(status, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        return JSON.readTree(response.body());
    }

    static HttpResponse<byte[]> get(ImgedgeServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base(server).resolve(path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static URI base(ImgedgeServer server) {
        return URI.create("http://127.0.0.1:" + server.httpAddress().getPort());
    }

    /** Runs an admin replica check and returns its NDJSON lines, the summary last. */
    static List<JsonNode> check(ImgedgeServer server, boolean repair) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort()
                + (repair ? "/store/repair" : "/store/verify"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        HttpResponse<String> response = CLIENT.send(repair ? request.POST(HttpRequest.BodyPublishers.noBody()).build()
                : request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/x-ndjson", response.headers().firstValue("content-type").orElseThrow());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertTrue(lines.getLast().has("summary"), response.body());
        return lines;
    }

    static Set<String> keys(BlobStore store) {
        try (Stream<String> keys = store.list("")) {
            return new HashSet<>(keys.toList());
        }
    }

    @Test
    void anUploadIsServedFromEitherBackendAlone() throws Exception {
        byte[] png = TestImages.png(300, 200);
        String sha = ContentKey.sha256(png);
        ImgedgeServer writer = both(2);
        JsonNode json = uploaded(writer, png, 201);
        String key = sha.substring(0, 2) + "/" + sha.substring(2, 4) + "/" + sha + ".png";
        assertEquals(key, json.get("key").asText());
        assertEquals(sha, json.get("sha256").asText());
        assertEquals("png", json.get("format").asText());
        assertEquals(300, json.get("width").asInt());
        assertEquals(200, json.get("height").asInt());
        assertEquals(png.length, json.get("bytes").asLong());
        assertEquals("/i/" + key, json.get("url").asText());
        assertEquals("store:///" + key, json.get("source").asText());
        assertEquals(key, uploaded(writer, png, 200).get("key").asText(), "the same bytes again: same key, 200");

        for (S3ProxyProcess only : List.of(a, b)) {
            ImgedgeServer reader = start(List.of(s3(only, bucket(), "only")), 1, Map.of());
            HttpResponse<byte[]> original = get(reader, "/i/" + key);
            assertEquals(200, original.statusCode());
            assertArrayEquals(png, original.body());
            assertEquals("image/png", original.headers().firstValue("content-type").orElseThrow());
            assertEquals("public, max-age=31536000, immutable", original.headers().firstValue("cache-control").orElseThrow());
            assertEquals("\"" + sha + "\"", original.headers().firstValue("etag").orElseThrow());
            HttpResponse<byte[]> resized = get(reader, "/_/rs:fit:100:100/plain/store:///" + key + "@webp");
            assertEquals(200, resized.statusCode(), new String(resized.body(), StandardCharsets.UTF_8));
            assertEquals(ImageFormat.WEBP, TestImages.sniff(resized.body()));
            BufferedImage decoded = TestImages.decode(resized.body());
            assertEquals(100, decoded.getWidth());
            assertEquals(67, decoded.getHeight());
        }
    }

    @Test
    void withABackendDownReadsFailOverAndTheQuorumDecidesUploads() throws Exception {
        byte[] first = TestImages.png(120, 80);
        ImgedgeServer lenient = both(1);
        ImgedgeServer strict = both(2);
        String key = uploaded(strict, first, 201).get("key").asText();

        a.stop();
        HttpResponse<byte[]> part = get(lenient, "/i/" + key, "Range", "bytes=0-99");
        assertEquals(206, part.statusCode(), "a range is read from the store in the request, falling over to b");
        assertArrayEquals(Arrays.copyOf(first, 100), part.body());
        ImgedgeServer fresh = both(1);
        assertArrayEquals(first, get(fresh, "/i/" + key).body(), "an uncached read falls over to b");

        byte[] second = TestImages.png(130, 80);
        String secondKey = uploaded(lenient, second, 201).get("key").asText();
        byte[] third = TestImages.png(140, 80);
        HttpResponse<byte[]> refused = upload(strict, third, TOKEN);
        assertEquals(503, refused.statusCode(), new String(refused.body(), StandardCharsets.UTF_8));
        String thirdKey = ContentKey.of(ContentKey.sha256(third), "png");
        assertEquals(Optional.empty(), direct(b).stat(thirdKey), "the failed upload was rolled back on b");
        assertTrue(direct(b).stat(secondKey).isPresent());

        a.start();
        assertEquals(Optional.empty(), direct(a).stat(thirdKey), "nor did it reach a");
        List<JsonNode> before = check(lenient, false);
        JsonNode summary = before.getLast().get("summary");
        assertEquals(1, summary.get("missing").asInt(), "the upload made while a was down is missing on a");
        assertEquals(secondKey, before.getFirst().get("key").asText());
        assertEquals("a", before.getFirst().get("backend").asText());
        assertEquals("missing", before.getFirst().get("problem").asText());

        JsonNode repaired = check(lenient, true).getLast().get("summary");
        assertEquals(1, repaired.get("repaired").asInt());
        JsonNode after = check(lenient, false).getLast().get("summary");
        assertEquals(0, after.get("missing").asInt());
        assertEquals(0, after.get("mismatched").asInt());
        assertEquals(2, after.get("keys").asInt());
        assertArrayEquals(second, direct(a).get(secondKey, 1 << 20).orElseThrow().bytes());
    }

    /** SIGSTOP on one replica once gave reads of uncached keys and uploads a 503 after 30 s (issue 14). */
    @Test
    void aHungReplicaSlowsNothingAndIsMarkedDown() throws Exception {
        byte[] first = TestImages.png(110, 80);
        String key = uploaded(both(2), first, 201).get("key").asText();
        ImgedgeServer lenient = start(List.of(s3(a, bucket(), "a"), s3(b, bucket(), "b")), 1,
                Map.of("imgedge.store.health_interval", "500ms"));
        ImgedgeServer strict = both(2);
        a.hang();
        try {
            long started = System.nanoTime();
            HttpResponse<byte[]> read = get(lenient, "/i/" + key);
            assertEquals(200, read.statusCode());
            assertArrayEquals(first, read.body());
            byte[] second = TestImages.png(120, 80);
            HttpResponse<byte[]> stored = upload(lenient, second, TOKEN);
            assertEquals(201, stored.statusCode(), new String(stored.body(), StandardCharsets.UTF_8));
            long took = (System.nanoTime() - started) / 1_000_000;
            assertTrue(took < 4_000, "a read and an upload with a hung replica took " + took + " ms");
            assertTrue(direct(b).stat(JSON.readTree(stored.body()).get("key").asText()).isPresent());

            long strictStart = System.nanoTime();
            HttpResponse<byte[]> refused = upload(strict, TestImages.png(130, 80), TOKEN);
            long strictTook = (System.nanoTime() - strictStart) / 1_000_000;
            assertEquals(503, refused.statusCode(), "a quorum of 2 cannot be met with one replica hung");
            assertTrue(strictTook < 10_000, "refused once the hung write timed out: " + strictTook + " ms");

            Eventually.until(() -> {
                try {
                    return ProtectionIT.metric(lenient, "imgedge_store_backend_up{backend=\"a\"}") == 0;
                } catch (Exception e) {
                    return false;
                }
            }, "the health check marks the hung replica down");
            assertEquals(200, get(lenient, "/ready").statusCode(), "b is up: the node is ready");
        } finally {
            a.resume();
        }
    }

    /**
     * A damaged copy on the first replica was served under the right hash and cached for good
     * (issue 14): reads are checked against the content address, fall over to a good copy, and
     * put it back; a repair drops what the caches hold of the key; repairs keep the content type.
     */
    @Test
    void aCopyThatDoesNotMatchItsAddressIsNeverServed() throws Exception {
        byte[] png = TestImages.png(100, 70);
        String key = uploaded(both(2), png, 201).get("key").asText();
        byte[] damaged = png.clone();
        damaged[damaged.length / 2] ^= 0x55;
        direct(a).put(key, damaged, "image/png");
        ImgedgeServer reader = both(1);
        HttpResponse<byte[]> original = get(reader, "/i/" + key);
        assertEquals(200, original.statusCode());
        assertArrayEquals(png, original.body(), "b's good copy, not a's damaged one");
        HttpResponse<byte[]> resized = get(reader, "/_/w:50/plain/store:///" + key + "@png");
        assertEquals(50, TestImages.decode(resized.body()).getWidth());
        assertEquals(1, ProtectionIT.metric(reader, "imgedge_store_damaged_reads_total"));
        Eventually.until(() -> java.util.Arrays.equals(png, direct(a).get(key, 1 << 20).orElseThrow().bytes()),
                "the damaged copy is replaced in the background");
        assertEquals("image/png", s3Type(a, key), "with the image's content type");

        // a copy served and cached before it was damaged everywhere but one place: a repair drops it
        direct(b).put(key, damaged, "application/octet-stream");
        assertEquals(1, check(reader, true).getLast().get("summary").get("repaired").asInt());
        assertEquals("image/png", s3Type(b, key), "a repair keeps the content type");
        assertEquals("miss", get(reader, "/_/w:50/plain/store:///" + key + "@png").headers().firstValue("x-cache").orElseThrow(),
                "the repaired key's results and original were dropped from the caches");
    }

    /** The Content-Type a replica holds the object under, as S3 says it. */
    String s3Type(S3ProxyProcess server, String key) throws Exception {
        return io.minio.MinioClient.builder().endpoint(server.endpoint().toString())
                .credentials(S3ProxyProcess.ACCESS_KEY, S3ProxyProcess.SECRET_KEY).region("us-east-1").build()
                .statObject(io.minio.StatObjectArgs.builder().bucket(bucket()).object(key).build()).contentType();
    }

    @Test
    void aDamagedReplicaIsReportedAndRepaired() throws Exception {
        byte[] png = TestImages.png(90, 90);
        ImgedgeServer server = both(2);
        String key = uploaded(server, png, 201).get("key").asText();
        byte[] damaged = png.clone();
        damaged[damaged.length / 2] ^= 0x55;
        direct(b).put(key, damaged, "image/png");

        List<JsonNode> report = check(server, false);
        assertEquals(2, report.size());
        assertEquals(key, report.getFirst().get("key").asText());
        assertEquals("b", report.getFirst().get("backend").asText());
        assertEquals("mismatched", report.getFirst().get("problem").asText());
        assertEquals(1, check(server, true).getLast().get("summary").get("repaired").asInt());
        assertEquals(0, check(server, false).getLast().get("summary").get("mismatched").asInt());
        assertArrayEquals(png, direct(b).get(key, 1 << 20).orElseThrow().bytes());
    }

    @Test
    void badUploadsAreRefusedAndChangeNothing() throws Exception {
        ImgedgeServer server = start(List.of(s3(a, bucket(), "a"), Map.of("type", "file", "dir", dir.resolve("files").toString())),
                2, Map.of("imgedge.upload.max_bytes", 100_000));
        uploaded(server, TestImages.png(20, 20), 201);
        Set<String> onA = keys(direct(a));
        FileBlobStore files = new FileBlobStore(dir.resolve("files"));
        Set<String> onFiles = keys(files);

        assertEquals(401, upload(server, TestImages.png(21, 21), "wrong-token-0123456789").statusCode());
        assertEquals(401, upload(server, TestImages.png(21, 21), null).statusCode());
        byte[] big = new byte[150_000];
        System.arraycopy(TestImages.png(10, 10), 0, big, 0, TestImages.png(10, 10).length);
        HttpResponse<byte[]> oversize = upload(server, big, TOKEN);
        assertEquals(413, oversize.statusCode());
        assertEquals(415, upload(server, "<html><body>hi</body></html>".getBytes(StandardCharsets.UTF_8), TOKEN).statusCode());
        HttpResponse<byte[]> truncated = upload(server, TestImages.truncatedJpeg(), TOKEN);
        assertEquals(422, truncated.statusCode(), new String(truncated.body(), StandardCharsets.UTF_8));
        assertEquals(422, upload(server, TestImages.pngHeaderOnly(50_000, 50_000), TOKEN).statusCode());
        assertEquals(400, upload(server, new byte[0], TOKEN).statusCode());
        assertEquals(415, upload(server, ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9\" height=\"9\">"
                + "<rect width=\"9\" height=\"9\"/></svg>").getBytes(StandardCharsets.UTF_8), TOKEN).statusCode(),
                "an SVG original would be served as a document at /i/");
        HttpResponse<byte[]> wrongMethod = CLIENT.send(HttpRequest.newBuilder(base(server).resolve("/upload"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[]{1})).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, wrongMethod.statusCode());

        assertEquals(onA, keys(direct(a)));
        assertEquals(onFiles, keys(files));
        assertEquals(200, get(server, "/health").statusCode(), "still serving");
    }

    @Test
    void concurrentUploadsOfTheSameBytesMakeOneObject() throws Exception {
        ImgedgeServer server = both(2);
        byte[] jpeg = TestImages.jpeg(400, 300);
        List<CompletableFuture<HttpResponse<byte[]>>> uploads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            uploads.add(CLIENT.sendAsync(HttpRequest.newBuilder(base(server).resolve("/upload"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        Set<String> returned = new HashSet<>();
        for (CompletableFuture<HttpResponse<byte[]>> upload : uploads) {
            HttpResponse<byte[]> response = upload.get(60, TimeUnit.SECONDS);
            assertTrue(response.statusCode() == 200 || response.statusCode() == 201, "status " + response.statusCode());
            returned.add(JSON.readTree(response.body()).get("key").asText());
        }
        assertEquals(1, returned.size());
        assertEquals(returned, keys(direct(a)));
        assertEquals(returned, keys(direct(b)));
    }

    @Test
    void multipartUploadsAndTheRateLimit() throws Exception {
        ImgedgeServer server = start(List.of(s3(a, bucket(), "a")), 1,
                Map.of("imgedge.upload.rate", 0.01, "imgedge.upload.burst", 2));
        byte[] png = TestImages.png(64, 32);
        String boundary = "imgedge-boundary-42";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.write(png);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<byte[]> multipart = CLIENT.send(HttpRequest.newBuilder(base(server).resolve("/upload"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, multipart.statusCode(), new String(multipart.body(), StandardCharsets.UTF_8));
        assertEquals(ContentKey.of(ContentKey.sha256(png), "png"), JSON.readTree(multipart.body()).get("key").asText());

        assertEquals(200, upload(server, png, TOKEN).statusCode());
        HttpResponse<byte[]> throttled = upload(server, png, TOKEN);
        assertEquals(429, throttled.statusCode());
        long retryAfter = Long.parseLong(throttled.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 100, "Retry-After " + retryAfter);
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.adminAddress().orElseThrow().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        double received = metrics.lines().filter(l -> l.startsWith("imgedge_bytes_received_total{route=\"upload\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertTrue(received >= body.size() + png.length, "upload bytes counted: " + received + " body " + body.size() + " png " + png.length);
        assertTrue(metrics.contains("imgedge_redis_fallback 0.0"), "present, and 0 without Redis");
    }

    @Test
    void originalsAnswerRangesHeadConditionalsAndRedirects() throws Exception {
        ImgedgeServer server = both(2);
        byte[] png = TestImages.png(200, 100);
        String key = uploaded(server, png, 201).get("key").asText();
        String etag = "\"" + ContentKey.sha256(png) + "\"";

        HttpResponse<byte[]> head = CLIENT.send(HttpRequest.newBuilder(base(server).resolve("/i/" + key))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(png.length), head.headers().firstValue("content-length").orElseThrow());
        assertEquals(0, head.body().length);
        HttpResponse<byte[]> suffix = get(server, "/i/" + key, "Range", "bytes=-10");
        assertEquals(206, suffix.statusCode());
        assertArrayEquals(Arrays.copyOfRange(png, png.length - 10, png.length), suffix.body());
        assertEquals("bytes " + (png.length - 10) + "-" + (png.length - 1) + "/" + png.length,
                suffix.headers().firstValue("content-range").orElseThrow());
        HttpResponse<byte[]> past = get(server, "/i/" + key, "Range", "bytes=" + png.length + "-");
        assertEquals(416, past.statusCode());
        assertEquals("bytes */" + png.length, past.headers().firstValue("content-range").orElseThrow());
        assertEquals(304, get(server, "/i/" + key, "If-None-Match", etag).statusCode());
        assertEquals(404, get(server, "/i/" + ContentKey.of(ContentKey.sha256(new byte[]{9}), "png")).statusCode());
        assertEquals(404, get(server, "/i/not/a/key.png").statusCode());

        ImgedgeServer redirecting = start(List.of(s3(b, bucket(), "b")), 1, Map.of("imgedge.store.redirect_originals", true));
        HttpResponse<byte[]> redirect = get(redirecting, "/i/" + key);
        assertEquals(302, redirect.statusCode());
        URI location = URI.create(redirect.headers().firstValue("location").orElseThrow());
        assertEquals(b.endpoint().getPort(), location.getPort());
        assertArrayEquals(png, CLIENT.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofByteArray()).body());
    }

    @Test
    void aNodeKilledInTheMiddleOfAnUploadLeavesNoObject() throws Exception {
        Path files = dir.resolve("files");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path conf = Files.writeString(dir.resolve("kill.conf"), """
                imgedge {
                  server { http { host = "127.0.0.1", port = %d }, https.enabled = false }
                  admin.enabled = false
                  signing.enabled = false
                  cache { disk.dir = "%s", source.dir = "" }
                  store.backends = [{ type = "file", dir = "%s" },
                    { type = "s3", endpoint = "%s", bucket = "%s", access_key = "%s", secret_key = "%s" }]
                  store.write_quorum = 2
                  upload.tokens = [{ tenant = "it", token = "%s" }]
                }
                """.formatted(port, dir.resolve("results"), files, a.endpoint(), bucket(), S3ProxyProcess.ACCESS_KEY,
                S3ProxyProcess.SECRET_KEY, TOKEN));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process node = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar",
                Path.of("target/imgedge.jar").toAbsolutePath().toString(), "--config", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile()).start();
        try {
            URI health = URI.create("http://127.0.0.1:" + port + "/health");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!answers(health)) {
                assertTrue(node.isAlive() && System.nanoTime() < deadline, "the node did not start: " + dir.resolve("node.log"));
                node.waitFor(100, TimeUnit.MILLISECONDS);
            }
            byte[] large = TestImages.jpeg(2000, 1500);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + large.length
                        + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String interim = statusLine(socket.getInputStream());
                assertEquals("HTTP/1.1 100 Continue", interim, "the node accepted the upload and waits for its body");
                out.write(large, 0, large.length / 2);
                out.flush();
                node.destroyForcibly();
                assertTrue(node.waitFor(30, TimeUnit.SECONDS));
            }
        } finally {
            node.destroyForcibly();
        }
        assertEquals(Set.of(), keys(new FileBlobStore(files)));
        try (Stream<Path> all = Files.walk(files)) {
            assertEquals(List.of(), all.filter(Files::isRegularFile).toList(), "not even a temporary file");
        }
        assertEquals(Set.of(), keys(direct(a)));
    }

    static boolean answers(URI uri) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.write(c);
            }
        }
        assertNotNull(line);
        assertFalse(line.size() == 0, "no answer");
        return line.toString(StandardCharsets.US_ASCII);
    }
}
