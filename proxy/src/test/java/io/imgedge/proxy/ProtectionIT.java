package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protection on a real server: SSRF refusals that never reach the target, resource limits,
 * per-client and per-origin throttles (cluster-wide through a real Redis), slow and excess
 * connections.
 */
class ProtectionIT {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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
        return start(extra, InstantSource.system());
    }

    ImgedgeServer start(Map<String, Object> extra, InstantSource clock) throws Exception {
        Map<String, Object> overrides = TestNodes.overrides(dir, "n" + closing.size());
        overrides.putAll(extra);
        Files.createDirectories(dir.resolve("images"));
        ImgedgeServer server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), overrides), clock);
        closing.add(server);
        return server;
    }

    TestOrigin origin() throws IOException {
        TestOrigin origin = new TestOrigin();
        closing.add(origin);
        return origin;
    }

    static HttpResponse<String> get(ImgedgeServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    static double metric(ImgedgeServer server, String prefix) throws Exception {
        HttpResponse<String> metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.adminAddress().orElseThrow().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return metrics.body().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** A loopback listener that only counts the connections it accepts. */
    static final class CountingListener implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();

        CountingListener() throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket _ = socket.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    CountingListener listener() throws IOException {
        CountingListener listener = new CountingListener();
        closing.add(listener);
        return listener;
    }

    @Test
    void refusedSourcesNeverReachTheirTarget() throws Exception {
        CountingListener target = listener();
        ImgedgeServer strict = start(Map.of("imgedge.sources.http.allowed_ports", List.of()));
        assertEquals(403, get(strict, "/_/w:10/plain/http://127.0.0.1:" + target.port() + "/a.png").statusCode());
        assertEquals(403, get(strict, "/_/w:10/plain/http://localhost:" + target.port() + "/a.png").statusCode(),
                "a name that resolves to loopback");
        assertEquals(403, get(strict, "/_/w:10/plain/http://%5B::1%5D:" + target.port() + "/a.png").statusCode());

        TestOrigin origin = origin();
        origin.put("ok.png", TestImages.png(40, 40));
        ImgedgeServer loopbackAllowed = start(Map.of("imgedge.sources.http.allow_loopback", true,
                "imgedge.sources.http.allowed_ports", List.of()));
        assertEquals(200, get(loopbackAllowed, "/_/w:10/plain/" + origin.url("/img/ok.png")).statusCode());
        HttpResponse<String> unspecified = get(loopbackAllowed, "/_/w:10/plain/"
                + origin.url("/redirect-to%3Fhttp://0.0.0.0:" + target.port() + "/a.png"));
        assertEquals(403, unspecified.statusCode(), "a redirect to 0.0.0.0 (which reaches this host) " + unspecified.body());
        assertEquals(1, origin.hits("/redirect-to"));

        ImgedgeServer listed = start(Map.of("imgedge.sources.http.allow_loopback", true,
                "imgedge.sources.http.allowed_ports", List.of(),
                "imgedge.sources.http.allow_list", List.of(origin.url("/img/"), origin.url("/redirect-to"))));
        assertEquals(200, get(listed, "/_/w:11/plain/" + origin.url("/img/ok.png")).statusCode());
        assertEquals(403, get(listed, "/_/w:11/plain/" + origin.url("/status/200")).statusCode());
        assertEquals(0, origin.hits("/status/200"), "refused before any connection");
        assertEquals(403, get(listed, "/_/w:11/plain/" + origin.url("/redirect-to%3Fhttp://127.0.0.1:" + target.port()
                + "/img/ok.png")).statusCode(), "a redirect off the allow-list");

        ImgedgeServer defaultPorts = start(Map.of("imgedge.sources.http.allow_loopback", true));
        assertEquals(403, get(defaultPorts, "/_/w:12/plain/http://127.0.0.1:" + target.port() + "/a.png").statusCode(),
                "only ports 80 and 443 by default");
        assertEquals(0, target.accepted.get(), "no refused request ever connected to the target");
    }

    @Test
    void frameAndTimeLimits() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("frames.gif"), TestImages.animatedGif(1, 1, 5000));
        // noise: no build's PNG encoder compresses 6 MP of it within the deadline (a smooth picture,
        // on sharp's libvips with zlib-ng, sometimes came in under 50 ms)
        Files.write(dir.resolve("images/noise.png"), TestImages.noisePng(3000, 2000, 7));
        HttpResponse<String> frames = get(start(Map.of("imgedge.limits.max_frames", 256)), "/_/w:10/plain/local:///frames.gif");
        assertEquals(422, frames.statusCode(), frames.body());
        assertTrue(frames.body().contains("frames, limit is 256"), frames.body());

        // long enough for an idle worker to take the job on a busy machine (a job still queued at its
        // deadline is refused as busy instead), far too short for a 6 MP PNG of noise
        ImgedgeServer server = start(Map.of("imgedge.limits.transform_timeout", "50ms"));
        long before = server.nativeMemory();
        HttpResponse<String> slow = get(server, "/_/rs:fill:3000:2000/plain/local:///noise.png@png");
        assertEquals(503, slow.statusCode(), slow.body());
        assertTrue(slow.body().contains("transform took longer"), slow.body());
        Eventually.until(() -> server.workers().inFlight() == 0, "the abandoned transform finishes");
        assertEquals(before, server.nativeMemory(), "and frees all it allocated");
        assertEquals(200, get(server, "/health").statusCode());
    }

    @Test
    void aBombIsRefusedFromItsHeaderWithoutAllocating() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("bomb.png"), TestImages.pngHeaderOnly(50_000, 50_000));
        Files.writeString(dir.resolve("images/logo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" height=\"20\"><script>alert(1)</script>"
                + "<rect width=\"20\" height=\"20\" fill=\"red\"/></svg>");
        ImgedgeServer server = start(Map.of());
        long before = rssKiB();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> bomb = get(server, "/_/w:" + (100 + i) + "/plain/local:///bomb.png");
            assertEquals(422, bomb.statusCode(), bomb.body());
        }
        long grown = rssKiB() - before;
        assertTrue(grown < 64 * 1024, "2.5 gigapixels were never decoded: RSS grew by " + grown + " KiB");
        HttpResponse<String> svg = get(server, "/_/w:10/plain/local:///logo.svg");
        assertEquals(200, svg.statusCode(), "SVG is rasterised once sanitised: " + svg.body());
        assertEquals("image/png", svg.headers().firstValue("content-type").orElseThrow());
        assertEquals(415, get(start(Map.of("imgedge.limits.svg", "refuse")), "/_/w:10/plain/local:///logo.svg").statusCode(),
                "or refused by config");
        assertEquals(200, get(server, "/health").statusCode());
    }

    static long rssKiB() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
    }

    @Test
    void anSvgCannotReachAnythingOutsideItself() throws Exception {
        CountingListener target = listener();
        Files.writeString(Files.createDirectories(dir.resolve("images")).resolve("reach.svg"), """
                <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="60" height="30">
                  <rect width="60" height="30" fill="#2060c0"/>
                  <image xlink:href="http://127.0.0.1:%d/a.png" width="10" height="10"/>
                  <image href="http://127.0.0.1:%d/b.png" width="10" height="10"/>
                </svg>""".formatted(target.port(), target.port()));
        ImgedgeServer server = start(Map.of());
        HttpResponse<byte[]> png = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.httpAddress().getPort() + "/_/plain/local:///reach.svg")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, png.statusCode());
        java.awt.image.BufferedImage image = TestImages.decode(png.body());
        assertEquals(60, image.getWidth());
        assertEquals(30, image.getHeight());
        assertEquals(0x2060c0, image.getRGB(30, 15) & 0xffffff);
        assertEquals(0, target.accepted.get(), "the references were removed before librsvg saw them");
    }

    @Test
    void aBurstOverTheQueueIsPartlyRefusedAtOnceAndNothingHangs() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("burst.jpg"), TestImages.jpeg(1600, 1200));
        ImgedgeServer server = start(Map.of("imgedge.limits.workers", 1, "imgedge.limits.queue", 2));
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort()
                    + "/_/rs:fill:" + (200 + i) + ":150/plain/local:///burst.jpg")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int busy = 0;
        for (CompletableFuture<HttpResponse<String>> response : burst) {
            HttpResponse<String> r = response.get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(503, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("retry-after").orElseThrow());
                busy++;
            }
        }
        assertTrue(ok >= 3 && busy >= 1, ok + " served, " + busy + " refused");
        assertEquals(20, ok + busy);
    }

    @Test
    void aFullQueueAnswersAtOnceWithRetryAfter() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("q.jpg"), TestImages.jpeg(100, 100));
        ImgedgeServer server = start(Map.of("imgedge.limits.workers", 1, "imgedge.limits.queue", 0,
                "imgedge.limits.queue_full_status", 429));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> blocker = server.workers().submit(() -> {
            release.await();
            return null;
        });
        try {
            HttpResponse<String> busy = get(server, "/_/w:20/plain/local:///q.jpg");
            assertEquals(429, busy.statusCode());
            assertEquals("1", busy.headers().firstValue("retry-after").orElseThrow());
        } finally {
            release.countDown();
            blocker.join();
        }
        assertEquals(200, get(server, "/_/w:20/plain/local:///q.jpg").statusCode());
        assertTrue(metric(server, "imgedge_throttled_total{reason=\"busy\"") >= 1);
    }

    @Test
    void clientsAreLimitedByRateAndMissesAndKnownThroughTrustedProxies() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("c.jpg"), TestImages.jpeg(100, 100));
        ImgedgeServer server = start(Map.of("imgedge.throttle.client.rate", 0.01, "imgedge.throttle.client.burst", 2,
                "imgedge.throttle.client.trusted_proxies", List.of("127.0.0.1/32")));
        String path = "/_/w:30/plain/local:///c.jpg";
        assertEquals(200, get(server, path, "X-Forwarded-For", "198.51.100.1").statusCode());
        assertEquals(200, get(server, path, "X-Forwarded-For", "198.51.100.1").statusCode());
        HttpResponse<String> limited = get(server, path, "X-Forwarded-For", "198.51.100.1");
        assertEquals(429, limited.statusCode());
        long retryAfter = Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter > 1 && retryAfter <= 100, "Retry-After " + retryAfter);
        assertEquals(200, get(server, path, "X-Forwarded-For", "198.51.100.2").statusCode(), "another client");
        assertEquals(200, get(server, "/health").statusCode(), "health is never limited");
        assertTrue(metric(server, "imgedge_throttled_total{reason=\"client_rate\"") >= 1);

        ImgedgeServer untrusting = start(Map.of("imgedge.throttle.client.rate", 0.01, "imgedge.throttle.client.burst", 2));
        assertEquals(200, get(untrusting, path, "X-Forwarded-For", "198.51.100.1").statusCode());
        assertEquals(200, get(untrusting, path, "X-Forwarded-For", "198.51.100.2").statusCode());
        assertEquals(429, get(untrusting, path, "X-Forwarded-For", "198.51.100.3").statusCode(),
                "without trust the header is ignored: one client");

        TestOrigin origin = origin();
        origin.put("held.png", TestImages.png(50, 50));
        origin.put("other.png", TestImages.png(60, 60));
        ImgedgeServer misses = start(Map.of("imgedge.throttle.client.max_misses", 1,
                "imgedge.sources.http.allow_loopback", true, "imgedge.sources.http.allowed_ports", List.of()));
        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
            try {
                return get(misses, "/_/w:10/plain/" + origin.url("/gate/held.png"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(origin.gateReached.await(10, TimeUnit.SECONDS));
        HttpResponse<String> second = get(misses, "/_/w:10/plain/" + origin.url("/img/other.png"));
        assertEquals(429, second.statusCode(), "one miss at a time for this client");
        origin.openGate();
        assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, get(misses, "/_/w:10/plain/" + origin.url("/img/other.png")).statusCode());
        assertEquals(200, get(misses, "/_/w:10/plain/" + origin.url("/img/other.png")).statusCode(), "hits never count");
    }

    @Test
    void anOriginHostGetsNoMoreConcurrentFetchesThanItsLimit() throws Exception {
        TestOrigin origin = origin();
        origin.put("p.png", TestImages.png(30, 30));
        ImgedgeServer server = start(Map.of("imgedge.sources.http.max_connections_per_host", 2,
                "imgedge.sources.http.allow_loopback", true, "imgedge.sources.http.allowed_ports", List.of()));
        List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // ten sources of one host (the query tells them apart), so none collapses into another
            String path = "/_/w:10/plain/" + origin.url("/gate/p.png%3Fn=" + i);
            requests.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return get(server, path);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Eventually.until(() -> origin.hits("/gate/p.png") == 2, () -> origin.hits("/gate/p.png") + " fetches at the origin");
        origin.openGate();
        for (CompletableFuture<HttpResponse<String>> request : requests) {
            assertEquals(200, request.get(30, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(10, origin.hits("/gate/p.png"));
        assertEquals(2, origin.mostConcurrent(), "the rest waited for one of the two connections");
    }

    @Test
    void aFailingOriginIsLeftAloneAndItsCachedCopiesServed() throws Exception {
        TestClock clock = new TestClock();
        TestOrigin origin = origin();
        origin.put("kept.png", TestImages.png(80, 80), "public, max-age=60");
        ImgedgeServer server = start(Map.of("imgedge.sources.http.allow_loopback", true,
                "imgedge.sources.http.allowed_ports", List.of(), "imgedge.throttle.origin.breaker_failures", 2,
                "imgedge.cache.stale_if_error", "1m"), clock);
        String kept = "/_/w:40/plain/" + origin.url("/img/kept.png");
        assertEquals(200, get(server, kept).statusCode());
        assertEquals(502, get(server, "/_/w:40/plain/" + origin.url("/status/500")).statusCode());
        assertEquals(502, get(server, "/_/w:40/plain/" + origin.url("/status/503")).statusCode());
        HttpResponse<String> open = get(server, "/_/w:40/plain/" + origin.url("/status/502"));
        assertEquals(503, open.statusCode(), "the circuit is open: answered without asking");
        assertEquals(0, origin.hits("/status/502"));
        assertTrue(Long.parseLong(open.headers().firstValue("retry-after").orElseThrow()) >= 1);

        clock.advance(Duration.ofHours(1));
        HttpResponse<String> stale = get(server, kept);
        assertEquals(200, stale.statusCode(), "long expired, but the origin is known to be down: " + stale.body());
        assertEquals("stale", stale.headers().firstValue("x-cache").orElseThrow());
        assertEquals(1, origin.hits("/img/kept.png"));
        assertTrue(metric(server, "imgedge_throttled_total{reason=\"origin_circuit\"") >= 1);
        assertEquals(2, metric(server, "imgedge_origin_responses_total{kind=\"http\",status=\"502\"}"),
                "the two 5xx answers, counted as what they map to");
        assertEquals(2, metric(server, "imgedge_origin_responses_total{kind=\"http\",status=\"503\"}"),
                "the open circuit, twice: the refused fetch and the refetch of the expired copy");
        assertTrue(metric(server, "imgedge_bytes_sent_total{route=\"image\"}") > 0);
    }

    @Test
    void clientLimitsHoldAcrossNodesThroughRedis() throws Exception {
        RedisProcess server = RedisProcess.start(dir);
        closing.add(server);
        String redis = server.uri();
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("r.jpg"), TestImages.jpeg(100, 100));
        Map<String, Object> cluster = Map.of("imgedge.redis.uri", redis, "imgedge.throttle.client.rate", 0.01,
                "imgedge.throttle.client.burst", 3, "imgedge.throttle.client.trusted_proxies", List.of("127.0.0.1/32"));
        ImgedgeServer a = start(cluster);
        ImgedgeServer b = start(cluster);
        Eventually.until(() -> fallback(a) == 0 && fallback(b) == 0, "both nodes reach Redis");
        String client = "203.0.113." + (System.nanoTime() % 200 + 1);
        String path = "/_/w:25/plain/local:///r.jpg";
        assertEquals(200, get(a, path, "X-Forwarded-For", client).statusCode());
        assertEquals(200, get(b, path, "X-Forwarded-For", client).statusCode());
        assertEquals(200, get(a, path, "X-Forwarded-For", client).statusCode());
        assertEquals(429, get(b, path, "X-Forwarded-For", client).statusCode(), "the burst of 3 is for the cluster");
        assertEquals(429, get(a, path, "X-Forwarded-For", client).statusCode());
    }

    @Test
    void whenRedisStopsTheNodeGoesOnAloneAndComesBack() throws Exception {
        RedisProcess redis = RedisProcess.start(dir);
        closing.add(redis);
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("f.jpg"), TestImages.jpeg(100, 100));
        ImgedgeServer server = start(Map.of("imgedge.redis.uri", redis.uri(), "imgedge.throttle.client.rate", 1000,
                "imgedge.throttle.client.max_misses", 4));
        Eventually.until(() -> fallback(server) == 0, "the node reaches Redis");
        assertEquals(200, get(server, "/_/w:21/plain/local:///f.jpg").statusCode());
        redis.stop();
        for (int i = 0; i < 5; i++) {
            assertEquals(200, get(server, "/_/w:" + (22 + i) + "/plain/local:///f.jpg").statusCode(),
                    "no request fails for want of Redis");
        }
        assertEquals(1, fallback(server));
        redis.start();
        Eventually.until(() -> fallback(server) == 0, "back on Redis once it answers");
        assertEquals(200, get(server, "/_/w:30/plain/local:///f.jpg").statusCode());
    }

    /** A GET on an open keep-alive connection; returns the status. */
    static int getOn(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        String status = readLine(in);
        long length = 0;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).strip());
            }
        }
        in.readNBytes((int) length);
        return Integer.parseInt(status.split(" ")[1]);
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c == -1) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Test
    void safeKeysReloadWithoutDroppingConnections() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("r.jpg"), TestImages.jpeg(100, 100));
        Map<String, Object> base = new HashMap<>(Map.of("imgedge.server.http.port", 0, "imgedge.server.https.enabled", false,
                "imgedge.admin.port", 0, "imgedge.signing.enabled", false,
                "imgedge.sources.local.root", dir.resolve("images").toString(),
                "imgedge.cache.disk.dir", dir.resolve("rl/results").toString(),
                "imgedge.cache.source.dir", dir.resolve("rl/sources").toString(),
                "imgedge.store.backends", List.of(Map.of("type", "file", "dir", dir.resolve("rl/store").toString()))));
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> current = new java.util.concurrent.atomic.AtomicReference<>(base);
        ImgedgeServer server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), base), InstantSource.system(),
                () -> ConfigLoader.load(Optional.empty(), Map.of(), current.get()));
        closing.add(server);
        URI reload = URI.create("http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort() + "/reload");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.httpAddress().getPort())) {
            socket.setSoTimeout(10_000);
            assertEquals(400, getOn(socket, "/_/pr:tiny/plain/local:///r.jpg"), "no such preset yet");
            assertEquals(200, getOn(socket, "/_/w:10/plain/local:///r.jpg"));

            Map<String, Object> changed = new HashMap<>(base);
            changed.put("imgedge.processing.presets", List.of("tiny=w:5"));
            changed.put("imgedge.throttle.client.rate", 0.01);
            changed.put("imgedge.throttle.client.burst", 1);
            changed.put("imgedge.limits.workers", 7);
            current.set(changed);
            HttpResponse<String> reloaded = CLIENT.send(HttpRequest.newBuilder(reload).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, reloaded.statusCode(), reloaded.body());
            assertTrue(reloaded.body().contains("processing.presets"), reloaded.body());
            assertTrue(reloaded.body().contains("\"restart_needed\":[\"limits.workers\"]"),
                    "a changed key a reload cannot apply is named: " + reloaded.body());

            assertEquals(200, getOn(socket, "/_/pr:tiny/plain/local:///r.jpg"), "the new preset, on the same connection");
            assertEquals(429, getOn(socket, "/_/w:11/plain/local:///r.jpg"), "the new rate: a burst of one");

            Map<String, Object> broken = new HashMap<>(changed);
            broken.put("imgedge.throttle.client.rate", -1);
            current.set(broken);
            HttpResponse<String> refused = CLIENT.send(HttpRequest.newBuilder(reload).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, refused.statusCode());
            assertTrue(refused.body().contains("throttle.client.rate"), refused.body());
            assertEquals(200, CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort()
                    + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "still serving");
        }
    }

    static double fallback(ImgedgeServer server) {
        try {
            return metric(server, "imgedge_redis_fallback");
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void slowAndSurplusConnectionsAreClosed() throws Exception {
        ImgedgeServer server = start(Map.of("imgedge.server.header_timeout", "300ms", "imgedge.server.max_connections", 2));
        int port = server.httpAddress().getPort();
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            slow.setSoTimeout(100);
            OutputStream out = slow.getOutputStream();
            InputStream in = slow.getInputStream();
            out.write("GET /health HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 50 && !closed; i++) {
                try {
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    closed = in.read() == -1;
                } catch (SocketTimeoutException e) {
                    // still open: keep trickling, as a slowloris client does
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed, "a head trickled in over 5 s was cut off");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "within about the head timeout");
        }

        Eventually.until(() -> openConnections(server) == 0, () -> "the slow connection is gone, open: " + openConnections(server));
        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port);
             Socket second = new Socket(InetAddress.getLoopbackAddress(), port)) {
            Eventually.until(() -> openConnections(server) == 2, () -> "two connections open, not " + openConnections(server));
            try (Socket third = new Socket(InetAddress.getLoopbackAddress(), port)) {
                third.setSoTimeout(5000);
                assertEquals(-1, third.getInputStream().read(), "the third is closed at once");
            }
            first.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            first.setSoTimeout(5000);
            byte[] answer = new byte[12];
            assertEquals(12, first.getInputStream().readNBytes(answer, 0, 12));
            assertEquals("HTTP/1.1 200", new String(answer, StandardCharsets.US_ASCII));
        }
        assertTrue(metric(server, "imgedge_throttled_total{reason=\"connections\"") >= 1);
    }

    static double openConnections(ImgedgeServer server) {
        try {
            return metric(server, "imgedge_connections_open");
        } catch (Exception e) {
            return -1;
        }
    }
}
