package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a scripted mix of misses, hits, errors and throttled requests, {@code /metrics} says
 * exactly what was sent: request counts by status, cache lookups by tier and result, transforms,
 * origin fetches and their outcomes, throttles by reason, bytes written.
 */
class MetricsIT {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** One exposition line: name, labels, value. */
    static final Pattern LINE = Pattern.compile("^([a-z_]+)(?:\\{(.*)})? (\\S+)$");
    static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");

    @TempDir
    Path dir;
    ImgedgeServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void metricsMatchTheRequestsSent() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("m.jpg"), TestImages.jpeg(400, 300));
        Map<String, Object> overrides = TestNodes.overrides(dir, "node");
        // at most 20 requests at once per client, one more a second
        overrides.put("imgedge.throttle.client.rate", 1);
        overrides.put("imgedge.throttle.client.burst", 20);
        overrides.put("imgedge.throttle.client.trusted_proxies", List.of("127.0.0.1/32"));
        server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), overrides));

        Sent sent = new Sent();
        String client = "198.51.100.1";
        for (int w = 10; w < 15; w++) {
            sent.expect(get("/_/w:" + w + "/plain/local:///m.jpg@jpg", client), 200, "miss");
        }
        for (int i = 0; i < 7; i++) {
            sent.expect(get("/_/w:" + (10 + i % 5) + "/plain/local:///m.jpg@jpg", client), 200, "hit-memory");
        }
        for (int i = 0; i < 3; i++) {
            sent.expect(get("/_/w:10/plain/local:///missing-" + i + ".jpg", client), 404, null);
        }
        for (int i = 0; i < 2; i++) {
            sent.expect(get("/_/bogus:" + i + "/plain/local:///m.jpg", client), 400, null);
        }
        int allowed = 0;
        int refused = 0;
        for (int i = 0; i < 30; i++) {
            HttpResponse<byte[]> response = get("/_/w:10/plain/local:///m.jpg@jpg", "203.0.113.9");
            sent.add(response);
            if (response.statusCode() == 200) {
                allowed++;
            } else {
                assertEquals(429, response.statusCode());
                refused++;
            }
        }
        assertTrue(allowed >= 20 && refused > 0, allowed + " allowed, " + refused + " refused");

        int total = sent.count;
        // a request is counted once its response is written, which the client may see first
        Eventually.until(() -> value(scrape(), "imgedge_request_seconds_count", Map.of("route", "image")) == total,
                "every request counted");
        String metrics = scrape();
        assertEquals(5 + 7 + allowed, value(metrics, "imgedge_requests_total", Map.of("route", "image", "status", "200")));
        assertEquals(3, value(metrics, "imgedge_requests_total", Map.of("route", "image", "status", "404")));
        assertEquals(2, value(metrics, "imgedge_requests_total", Map.of("route", "image", "status", "400")));
        assertEquals(refused, value(metrics, "imgedge_requests_total", Map.of("route", "image", "status", "429")));
        assertEquals(refused, value(metrics, "imgedge_throttled_total", Map.of("reason", "client_rate")));
        assertEquals(0, value(metrics, "imgedge_throttled_total", Map.of("reason", "busy")));

        // the 5 misses and 3 missing sources looked in memory and on disk, found nothing; the rest were memory hits
        assertEquals(7 + allowed, value(metrics, "imgedge_cache_lookups_total", Map.of("tier", "memory", "result", "hit")));
        assertEquals(5 + 3, value(metrics, "imgedge_cache_lookups_total", Map.of("tier", "memory", "result", "miss")));
        assertEquals(5 + 3, value(metrics, "imgedge_cache_lookups_total", Map.of("tier", "disk", "result", "miss")));
        assertEquals(0, value(metrics, "imgedge_cache_lookups_total", Map.of("tier", "disk", "result", "hit")));
        assertEquals(5, sent.misses);
        assertEquals(7 + allowed, sent.hits);

        assertEquals(5, value(metrics, "imgedge_transform_seconds_count", Map.of("format", "jpg")));
        // one original for five sizes (kept in the source cache), three that are not there
        assertEquals(1, value(metrics, "imgedge_origin_fetch_seconds_count", Map.of("kind", "local", "outcome", "ok")));
        assertEquals(3, value(metrics, "imgedge_origin_fetch_seconds_count", Map.of("kind", "local", "outcome", "error")));
        assertEquals(1, value(metrics, "imgedge_origin_responses_total", Map.of("kind", "local", "status", "200")));
        assertEquals(3, value(metrics, "imgedge_origin_responses_total", Map.of("kind", "local", "status", "404")));
        assertEquals(sent.bytes, value(metrics, "imgedge_bytes_sent_total", Map.of("route", "image")));
        assertEquals(0, value(metrics, "imgedge_transforms_in_flight", Map.of()));
        assertEquals(0, value(metrics, "imgedge_transform_queue_depth", Map.of()));
        assertEquals(0, value(metrics, "imgedge_redis_fallback", Map.of()));
    }

    /** What the test sent and got back. */
    static final class Sent {
        int count;
        long bytes;
        int hits;
        int misses;

        void add(HttpResponse<byte[]> response) {
            count++;
            bytes += response.body().length;
            String cache = response.headers().firstValue("x-cache").orElse("");
            hits += cache.startsWith("hit-") ? 1 : 0;
            misses += cache.equals("miss") ? 1 : 0;
        }

        void expect(HttpResponse<byte[]> response, int status, String cache) {
            add(response);
            assertEquals(status, response.statusCode(), () -> new String(response.body()));
            if (cache != null) {
                assertEquals(cache, response.headers().firstValue("x-cache").orElse(""));
            }
        }
    }

    HttpResponse<byte[]> get(String path, String forwardedFor) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path))
                .header("X-Forwarded-For", forwardedFor).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    String scrape() {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.adminAddress().orElseThrow().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sum over the series of {@code name} whose labels include {@code labels}. */
    static double value(String exposition, String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : exposition.lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            Matcher label = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            while (label.find()) {
                found.put(label.group(1), label.group(2));
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }
}
