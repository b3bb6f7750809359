package io.imgedge.proxy.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Striped request meters: what threads count apart, a scrape adds up, in Prometheus's exposition. */
class RouteMetersTest {
    @Test
    void requestsFromManyThreadsAddUpInTheExposition() throws Exception {
        try (ServerMetrics metrics = new ServerMetrics()) {
            RouteMeters image = metrics.route("image");
            CountDownLatch go = new CountDownLatch(1);
            Thread[] threads = IntStream.range(0, 4).mapToObj(_ -> new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < 1000; i++) {
                    image.request(200, 500_000, 10); // 0.5 ms: the first bucket
                }
            })).toArray(Thread[]::new);
            for (Thread t : threads) {
                t.start();
            }
            go.countDown();
            image.request(404, 3_000_000, 1); // 3 ms: le 0.005
            image.request(503, 1_000_000, 0); // exactly 1 ms: le 0.001 (bounds are inclusive)
            metrics.route("health").request(200, 40_000_000_000L, 2); // 40 s: only +Inf
            for (Thread t : threads) {
                t.join();
            }
            String text = metrics.scrape();
            for (String line : new String[]{
                    "imgedge_requests_total{route=\"image\",status=\"200\"} 4000.0",
                    "imgedge_requests_total{route=\"image\",status=\"404\"} 1.0",
                    "imgedge_requests_total{route=\"image\",status=\"503\"} 1.0",
                    "imgedge_bytes_sent_total{route=\"image\"} 40001.0",
                    "imgedge_request_seconds_bucket{route=\"image\",le=\"0.001\"} 4001",
                    "imgedge_request_seconds_bucket{route=\"image\",le=\"0.002\"} 4001",
                    "imgedge_request_seconds_bucket{route=\"image\",le=\"0.005\"} 4002",
                    "imgedge_request_seconds_bucket{route=\"image\",le=\"+Inf\"} 4002",
                    "imgedge_request_seconds_count{route=\"image\"} 4002",
                    "imgedge_request_seconds_sum{route=\"image\"} 2.004",
                    "imgedge_request_seconds_bucket{route=\"health\",le=\"30.0\"} 0",
                    "imgedge_request_seconds_bucket{route=\"health\",le=\"+Inf\"} 1",
                    "# TYPE imgedge_request_seconds histogram"}) {
                assertTrue(text.lines().anyMatch(line::equals), line + " in\n" + text);
            }
        }
    }
}
