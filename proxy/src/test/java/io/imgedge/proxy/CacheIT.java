package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.RandomAccessFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache tiers, single-flight, stale serving and purge on a real server and a counting origin. */
class CacheIT {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    ImgedgeServer start(Map<String, Object> extra, InstantSource clock) throws Exception {
        Map<String, Object> overrides = new HashMap<>(Map.of(
                "imgedge.server.http.port", 0, "imgedge.server.https.enabled", false, "imgedge.admin.port", 0,
                "imgedge.signing.enabled", false, "imgedge.sources.http.allow_loopback", true,
                "imgedge.cache.disk.dir", dir.resolve("results").toString(),
                "imgedge.cache.source.dir", dir.resolve("sources").toString(),
                "imgedge.limits.queue", 256));
        overrides.put("imgedge.sources.http.allowed_ports", List.of());
        overrides.put("imgedge.store.backends", List.of(Map.of("type", "file", "dir", dir.resolve("store").toString())));
        overrides.putAll(extra);
        return ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), overrides), clock);
    }

    static HttpResponse<byte[]> get(ImgedgeServer server, String path) throws Exception {
        return CLIENT.send(request(server, path), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpRequest request(ImgedgeServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path)).build();
    }

    static String cache(HttpResponse<?> response) {
        return response.headers().firstValue("x-cache").orElse("none");
    }

    static String admin(ImgedgeServer server, String path, String postBody) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort() + path));
        if (postBody != null) {
            b.POST(HttpRequest.BodyPublishers.ofString(postBody)).header("Content-Type", "application/json");
        }
        HttpResponse<String> response = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** The sum of every sample of a Prometheus metric whose line starts with {@code prefix}. */
    static double metric(ImgedgeServer server, String prefix) throws Exception {
        return admin(server, "/metrics", null).lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static BooleanSupplier metricReaches(ImgedgeServer server, String prefix, double value) {
        return () -> {
            try {
                return metric(server, prefix) >= value;
            } catch (Exception e) {
                return false;
            }
        };
    }

    /** Files under {@code dir} this process holds open (the server runs in the test's JVM). */
    static long openFilesUnder(Path dir) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).startsWith(dir);
                } catch (Exception closedMeanwhile) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void bigResultsGoOutFromTheirCheckedFileWithTheSameBytes() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("noise.png"), TestImages.noisePng(300, 300, 7));
        Path results = dir.resolve("results");
        ImgedgeServer server = start(Map.of("imgedge.sources.local.root", dir.resolve("images").toString()),
                InstantSource.system());
        String path = "/_/w:250/plain/local:///noise.png@png";
        try {
            HttpResponse<byte[]> made = get(server, path);
            assertEquals("miss", cache(made));
            assertTrue(made.body().length > 100_000, "big enough to be sent from its file: " + made.body().length);
            Eventually.until(() -> openFilesUnder(results) == 1, "the entry file is kept open once written");
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> hit = get(server, path);
                assertEquals("hit-memory", cache(hit));
                assertArrayEquals(made.body(), hit.body(), "the file holds the bytes memory holds");
            }
            assertEquals(250, TestImages.decode(made.body()).getWidth());
            admin(server, "/purge", "{\"url\": \"" + path + "\"}");
            assertEquals(0, openFilesUnder(results), "a purged entry's file is let go");
            assertEquals("miss", cache(get(server, path)));
        } finally {
            server.close();
        }

        ImgedgeServer diskOnly = start(Map.of("imgedge.sources.local.root", dir.resolve("images").toString(),
                "imgedge.cache.memory.size", 1), InstantSource.system());
        try {
            HttpResponse<byte[]> first = get(diskOnly, path);
            assertEquals("hit-disk", cache(first));
            assertEquals(1, openFilesUnder(results), "read whole and checked, then kept open");
            HttpResponse<byte[]> second = get(diskOnly, path);
            assertEquals("hit-disk", cache(second));
            assertArrayEquals(first.body(), second.body());
            assertEquals(250, TestImages.decode(second.body()).getWidth());
        } finally {
            diskOnly.close();
        }
        assertEquals(0, openFilesUnder(results), "closing the node closes its files");
    }

    /** A big entry held open and truncated on disk was sent by sendfile under its old length (issue 14). */
    @Test
    void anOpenEntryTruncatedOnDiskIsNeverSent() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("noise.png"), TestImages.noisePng(300, 300, 9));
        Path results = dir.resolve("results");
        ImgedgeServer server = start(Map.of("imgedge.sources.local.root", dir.resolve("images").toString()),
                InstantSource.system());
        String path = "/_/w:250/plain/local:///noise.png@png";
        try {
            HttpResponse<byte[]> made = get(server, path);
            Eventually.until(() -> openFilesUnder(results) == 1, "the entry file is kept open once written");
            Path entry;
            try (Stream<Path> files = Files.walk(results)) {
                entry = files.filter(Files::isRegularFile).findFirst().orElseThrow();
            }
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(entry.toFile(), "rw")) {
                f.setLength(f.length() - 40_000);
            }
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> hit = get(server, path);
                assertEquals(200, hit.statusCode());
                assertArrayEquals(made.body(), hit.body(), "the verified bytes from memory, never the cut file");
            }
            Eventually.until(() -> !Files.exists(entry), "the damaged entry is dropped");
            assertEquals(1, metric(server, "imgedge_cache_disk_failures_total{kind=\"corrupt\",tier=\"disk\"}"));
        } finally {
            server.close();
        }
    }

    @Test
    void burstOf200IdenticalColdRequestsCostsOneFetchAndOneTransform() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("burst.jpg", TestImages.jpeg(1600, 1200));
            ImgedgeServer server = start(Map.of(), InstantSource.system());
            try {
                String path = "/_/rs:fill:300:200/plain/" + origin.url("/gate/burst.jpg") + "@webp";
                List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    responses.add(CLIENT.sendAsync(request(server, path), HttpResponse.BodyHandlers.ofByteArray()));
                }
                assertTrue(origin.gateReached.await(15, TimeUnit.SECONDS));
                Eventually.until(metricReaches(server, "imgedge_collapsed_total{kind=\"result\"", 199), "199 requests collapsed");
                origin.openGate();
                byte[] first = responses.getFirst().get(30, TimeUnit.SECONDS).body();
                Map<String, Integer> cacheStatus = new HashMap<>();
                for (CompletableFuture<HttpResponse<byte[]>> f : responses) {
                    HttpResponse<byte[]> response = f.get(30, TimeUnit.SECONDS);
                    assertEquals(200, response.statusCode());
                    assertArrayEquals(first, response.body());
                    cacheStatus.merge(response.headers().firstValue("x-cache").orElse(""), 1, Integer::sum);
                }
                assertEquals(Map.of("miss", 1, "collapsed", 199), cacheStatus, "the followers say they joined another's miss");
                BufferedImage decoded = TestImages.decode(first);
                assertEquals(300, decoded.getWidth());
                assertEquals(200, decoded.getHeight());
                assertEquals(1, origin.hits("/gate/burst.jpg"), "origin fetches");
                assertEquals(1, metric(server, "imgedge_transform_seconds_count"), "transforms");
                assertEquals(199, metric(server, "imgedge_collapsed_total{kind=\"result\""), "collapsed");
            } finally {
                server.close();
            }
        }
    }

    @Test
    void fiveSizesOfOneColdSourceCostOneFetchAndFiveTransforms() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("sizes.jpg", TestImages.jpeg(1200, 900));
            ImgedgeServer server = start(Map.of(), InstantSource.system());
            try {
                int[] widths = {100, 200, 300, 400, 500};
                List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    String path = "/_/w:" + widths[i % 5] + "/plain/" + origin.url("/gate/sizes.jpg") + "@png";
                    responses.add(CLIENT.sendAsync(request(server, path), HttpResponse.BodyHandlers.ofByteArray()));
                }
                assertTrue(origin.gateReached.await(15, TimeUnit.SECONDS));
                Eventually.until(metricReaches(server, "imgedge_collapsed_total{kind=\"source\"", 4), "4 source fetches collapsed");
                origin.openGate();
                for (int i = 0; i < 50; i++) {
                    HttpResponse<byte[]> response = responses.get(i).get(30, TimeUnit.SECONDS);
                    assertEquals(200, response.statusCode());
                    assertEquals(widths[i % 5], TestImages.decode(response.body()).getWidth());
                }
                assertEquals(1, origin.hits("/gate/sizes.jpg"), "origin fetches");
                assertEquals(5, metric(server, "imgedge_transform_seconds_count"), "transforms");
            } finally {
                server.close();
            }
        }
    }

    @Test
    void restartServesFromDiskWithoutTheOrigin() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("kept.png", TestImages.png(640, 480));
            String path = "/_/rs:fit:160:160/plain/" + origin.url("/img/kept.png") + "@webp";
            ImgedgeServer first = start(Map.of(), InstantSource.system());
            HttpResponse<byte[]> miss = get(first, path);
            assertEquals("miss", cache(miss));
            first.close();

            ImgedgeServer second = start(Map.of(), InstantSource.system());
            try {
                HttpResponse<byte[]> hit = get(second, path);
                assertEquals("hit-disk", cache(hit));
                assertArrayEquals(miss.body(), hit.body());
                assertEquals(160, TestImages.decode(hit.body()).getWidth());
                assertEquals("hit-memory", cache(get(second, path)), "disk hits are promoted");
                assertEquals(1, origin.hits("/img/kept.png"));
                assertTrue(metric(second, "imgedge_cache_bytes{tier=\"disk\"") > 0);
            } finally {
                second.close();
            }
        }
    }

    @Test
    void truncatedOrFlippedDiskEntriesAreRefetchedNotServed() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("fragile.png", TestImages.png(400, 400));
            String path = "/_/w:100/plain/" + origin.url("/img/fragile.png") + "@png";
            Map<String, Object> diskOnly = Map.of("imgedge.cache.memory.size", 1, "imgedge.cache.source.dir", "",
                    "imgedge.cache.source.memory_size", 1);
            ImgedgeServer server = start(diskOnly, InstantSource.system());
            assertEquals("miss", cache(get(server, path)));
            server.close();

            for (String damage : new String[]{"truncate", "flip"}) {
                Path entry = onlyFile(dir.resolve("results"));
                try (RandomAccessFile f = new RandomAccessFile(entry.toFile(), "rw")) {
                    if (damage.equals("truncate")) {
                        f.setLength(f.length() / 2);
                    } else {
                        f.seek(f.length() - 20);
                        int b = f.read();
                        f.seek(f.length() - 20);
                        f.write(b ^ 0x55);
                    }
                }
                server = start(diskOnly, InstantSource.system());
                HttpResponse<byte[]> response = get(server, path);
                assertEquals("miss", cache(response), damage);
                assertEquals(100, TestImages.decode(response.body()).getWidth(), damage);
                double dropped = metric(server, "imgedge_cache_disk_failures_total{kind=\"corrupt\",tier=\"disk\"");
                server.close();
                if (damage.equals("flip")) {
                    assertEquals(1, dropped, "a failed checksum is counted");
                }
            }
            assertEquals(3, origin.hits("/img/fragile.png"), "refetched after each damage");
        }
    }

    @Test
    void staleIsServedWithinStaleIfErrorThenTheErrorAfter() throws Exception {
        TestClock clock = new TestClock();
        TestOrigin origin = new TestOrigin();
        origin.put("fading.png", TestImages.png(300, 300), "public, max-age=60");
        ImgedgeServer server = start(Map.of("imgedge.cache.stale_if_error", "10m", "imgedge.cache.ttl.remote_min", "1s"), clock);
        try (origin) {
            String path = "/_/w:50/plain/" + origin.url("/img/fading.png") + "@png";
            HttpResponse<byte[]> fresh = get(server, path);
            assertEquals("miss", cache(fresh));
            clock.advance(Duration.ofSeconds(30));
            assertEquals("hit-memory", cache(get(server, path)));
            origin.close();

            clock.advance(Duration.ofSeconds(31));
            HttpResponse<byte[]> stale = get(server, path);
            assertEquals(200, stale.statusCode());
            assertEquals("stale", cache(stale));
            assertArrayEquals(fresh.body(), stale.body());

            clock.advance(Duration.ofMinutes(9));
            assertEquals("stale", cache(get(server, path)), "still within stale_if_error");

            clock.advance(Duration.ofMinutes(2));
            HttpResponse<byte[]> gone = get(server, path);
            assertEquals(502, gone.statusCode(), new String(gone.body()));
            assertTrue(metric(server, "imgedge_cache_lookups_total{result=\"stale\"") >= 2);
        } finally {
            server.close();
        }
    }

    @Test
    void purgeBySourceAndByUrl() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("purged.png", TestImages.png(500, 500));
            ImgedgeServer server = start(Map.of(), InstantSource.system());
            try {
                String source = origin.url("/img/purged.png");
                String small = "/_/w:50/plain/" + source + "@png";
                String large = "/_/w:150/plain/" + source + "@png";
                assertEquals("miss", cache(get(server, small)));
                assertEquals("miss", cache(get(server, large)));
                assertEquals("hit-memory", cache(get(server, small)));
                assertEquals(1, origin.hits("/img/purged.png"));

                admin(server, "/purge", "{\"url\": \"" + large + "\"}");
                assertEquals("miss", cache(get(server, large)));
                assertEquals("hit-memory", cache(get(server, small)));
                assertEquals(1, origin.hits("/img/purged.png"), "a URL purge keeps the source cache");

                String answer = admin(server, "/purge", "{\"source\": \"" + source + "\"}");
                assertTrue(answer.matches("\\{\"purged\":[1-9][0-9]*}"), answer);
                assertEquals("miss", cache(get(server, small)));
                assertEquals(2, origin.hits("/img/purged.png"), "a source purge refetches the original");
            } finally {
                server.close();
            }
        }
    }

    @Test
    void missingSourcesAreRememberedBriefly() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            TestClock clock = new TestClock();
            ImgedgeServer server = start(Map.of("imgedge.cache.negative_ttl", "30s"), clock);
            try {
                String path = "/_/w:50/plain/" + origin.url("/img/nothing.png");
                assertEquals(404, get(server, path).statusCode());
                assertEquals(404, get(server, path).statusCode());
                assertEquals(1, origin.hits("/img/nothing.png"));
                clock.advance(Duration.ofSeconds(31));
                assertEquals(404, get(server, path).statusCode());
                assertEquals(2, origin.hits("/img/nothing.png"));
            } finally {
                server.close();
            }
        }
    }

    private static Path onlyFile(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertEquals(1, all.size(), all::toString);
            return all.getFirst();
        }
    }
}
