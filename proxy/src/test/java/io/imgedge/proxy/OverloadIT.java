package io.imgedge.proxy;

import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.imgedge.proxy.Harness.get;
import static io.imgedge.proxy.Harness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Miss goodput under overload (issue 14: queued transforms whose requests had timed out or gone
 * still ran, so from the second minute of overload no miss was served at all). The one worker is
 * held with a task of the test's own, so what waits behind it is known exactly.
 */
class OverloadIT {
    @RegisterExtension
    final Harness harness = new Harness();

    static double metric(ImgedgeServer server, String prefix) throws Exception {
        return ProtectionIT.metric(server, prefix);
    }

    CompletableFuture<Object> hold(ImgedgeServer server, CountDownLatch release) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<Object> held = server.workers().submit(() -> {
            holding.countDown();
            release.await();
            return null;
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        return held;
    }

    @Test
    void transformsWhoseClientsWentAwayAreNotRun() throws Exception {
        Files.write(harness.images().resolve("p.jpg"), TestImages.jpeg(400, 300));
        ImgedgeServer server = harness.node(Map.of("imgedge.limits.workers", 1, "imgedge.limits.queue", 16));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> held = hold(server, release);
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket socket = harness.closeLater(new Socket(InetAddress.getLoopbackAddress(), server.httpAddress().getPort()));
            socket.getOutputStream().write(("GET /_/w:" + (100 + i) + "/plain/local:///p.jpg HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            clients.add(socket);
        }
        Eventually.until(() -> server.workers().queueDepth() == 8, () -> server.workers().queueDepth() + " queued");
        for (Socket client : clients) {
            client.close();
        }
        Eventually.until(() -> server.workers().queueDepth() == 0, () -> server.workers().queueDepth() + " still queued");
        release.countDown();
        held.join();
        assertEquals(8, metric(server, "imgedge_transforms_dropped_total{reason=\"abandoned\""));
        assertEquals(0, metric(server, "imgedge_transform_seconds_count"), "none of them ran");
        assertEquals(200, get(server, "/_/w:100/plain/local:///p.jpg").statusCode(), "and the worker is free for new ones");
    }

    @Test
    void transformsWaitingPastTheirTimeoutAreNotRunButOneThatRanIsKept() throws Exception {
        Files.write(harness.images().resolve("p.jpg"), TestImages.jpeg(400, 300));
        Files.write(harness.images().resolve("big.png"), TestImages.noisePng(2000, 1500, 3));
        ImgedgeServer server = harness.node(Map.of("imgedge.limits.workers", 1, "imgedge.limits.queue", 16,
                "imgedge.limits.transform_timeout", "300ms"));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> held = hold(server, release);
        List<CompletableFuture<HttpResponse<byte[]>>> waiting = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waiting.add(Harness.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + server.httpAddress().getPort() + "/_/w:" + (100 + i) + "/plain/local:///p.jpg"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (CompletableFuture<HttpResponse<byte[]>> response : waiting) {
            assertEquals(503, response.get(10, TimeUnit.SECONDS).statusCode(), "the transform timeout passed in the queue");
        }
        release.countDown();
        held.join();
        Eventually.until(() -> {
            try {
                return metric(server, "imgedge_transforms_dropped_total{reason=\"deadline\"") == 6;
            } catch (Exception e) {
                return false;
            }
        }, "the six are dropped when a worker reaches them");
        assertEquals(0, metric(server, "imgedge_transform_seconds_count"), "none of them ran");

        // a transform that starts in time but takes longer than the timeout is still cached
        // (sharp's libvips blurs 8-bit images with SIMD, ~14x faster than Debian's 8.14: a wider blur)
        String slow = "/_/w:1900/bl:" + (TestImages.sharpLibvips() ? 100 : 40) + "/plain/local:///big.png";
        HttpResponse<byte[]> first = get(server, slow);
        assertEquals(503, first.statusCode(), text(first));
        Eventually.until(() -> {
            try {
                return metric(server, "imgedge_transform_seconds_count") == 1;
            } catch (Exception e) {
                return false;
            }
        }, "the slow transform finishes");
        HttpResponse<byte[]> second = get(server, slow);
        assertEquals(200, second.statusCode(), text(second));
        assertEquals("hit-memory", second.headers().firstValue("x-cache").orElseThrow(), "made once, kept for the next");
    }
}
