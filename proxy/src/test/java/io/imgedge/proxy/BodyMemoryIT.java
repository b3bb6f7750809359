package io.imgedge.proxy;

import io.imgedge.vips.TestImages;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.imgedge.proxy.Harness.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request bodies cannot take the node's memory (issue 13: 25 concurrent 40 MiB uploads from one
 * tenant once exhausted direct memory, and it stayed taken after the connections closed).
 */
class BodyMemoryIT {
    static final String TOKEN = "body-memory-test-token-0123456789";
    static final int UPLOADS = 25;
    static final long DECLARED = 40L << 20;
    static final int SENT = 8 << 20;

    @RegisterExtension
    final Harness harness = new Harness();

    ImgedgeServer node() throws Exception {
        return harness.node(Map.of("imgedge.upload.tokens", List.of(Map.of("tenant", "it", "token", TOKEN)),
                "imgedge.upload.max_bytes", "48MiB", "imgedge.upload.rate", 1000, "imgedge.upload.burst", 1000,
                "imgedge.limits.bodies.memory", "64MiB", "imgedge.limits.bodies.per_client", "32MiB",
                "imgedge.limits.bodies.spool_dir", spool().toString()));
    }

    Path spool() {
        return harness.dir().resolve("spool");
    }

    static double metric(ImgedgeServer server, String name) throws Exception {
        HttpResponse<String> metrics = Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.adminAddress().orElseThrow().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return metrics.body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    int spooled() throws IOException {
        if (!Files.isDirectory(spool())) {
            return 0;
        }
        try (var files = Files.list(spool())) {
            return (int) files.count();
        }
    }

    @Test
    void manyLargeUploadsHoldNoMemoryAndGiveEverythingBackWhenCut() throws Exception {
        ImgedgeServer server = node();
        Files.write(harness.images().resolve("p.png"), TestImages.png(200, 100));
        assertEquals(200, get(server, "/_/w:50/plain/local:///p.png").statusCode());
        long baseline = PlatformDependent.usedDirectMemory();
        System.out.println("direct memory at start: " + (baseline >> 20) + " MiB");

        List<Socket> sockets = new ArrayList<>();
        CountDownLatch sent = new CountDownLatch(UPLOADS);
        byte[] chunk = new byte[64 << 10];
        for (int i = 0; i < UPLOADS; i++) {
            Socket socket = harness.closeLater(new Socket(InetAddress.getLoopbackAddress(), server.httpAddress().getPort()));
            sockets.add(socket);
            boolean declared = i % 2 == 0; // half declare their length, half are chunked
            Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /upload HTTP/1.1\r\nHost: imgedge\r\nAuthorization: Bearer " + TOKEN + "\r\n"
                            + (declared ? "Content-Length: " + DECLARED : "Transfer-Encoding: chunked") + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int n = 0; n < SENT; n += chunk.length) {
                        if (!declared) {
                            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        }
                        out.write(chunk);
                        if (!declared) {
                            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                    out.flush();
                } catch (IOException e) {
                    // counted below as not sent
                    return;
                }
                sent.countDown();
            });
        }
        assertTrue(sent.await(60, TimeUnit.SECONDS), "every upload got its first 8 MiB in");
        Eventually.until(() -> {
            try {
                return metric(server, "imgedge_bytes_received_total") >= (double) UPLOADS * SENT;
            } catch (Exception e) {
                return false;
            }
        }, "the node read all of it");
        assertEquals(UPLOADS, spooled(), "each large body went to a file");
        assertTrue(metric(server, "imgedge_request_body_bytes") <= 1 << 20,
                "bodies hold next to no memory: " + metric(server, "imgedge_request_body_bytes"));
        long during = PlatformDependent.usedDirectMemory();
        System.out.println("direct memory with " + UPLOADS + " bodies in: " + (during >> 20) + " MiB");
        assertTrue(during - baseline < 64L << 20, "direct memory grew by " + ((during - baseline) >> 20) + " MiB with "
                + UPLOADS * (SENT >> 20) + " MiB of bodies in");
        assertEquals(200, get(server, "/_/w:40/plain/local:///p.png").statusCode(), "the node still answers");

        for (Socket socket : sockets) {
            socket.setSoLinger(true, 0);
            socket.close(); // reset, mid-body
        }
        Eventually.until(() -> {
            try {
                return spooled() == 0 && metric(server, "imgedge_request_body_bytes") == 0;
            } catch (Exception e) {
                return false;
            }
        }, "spool files and memory given back");
        // the pooled allocator keeps a few chunks for reuse: near, not at, the baseline
        Eventually.until(() -> PlatformDependent.usedDirectMemory() - baseline < 16L << 20,
                () -> "direct memory back near its baseline: " + ((PlatformDependent.usedDirectMemory() - baseline) >> 10) + " KiB over");
        assertEquals(200, get(server, "/_/w:30/plain/local:///p.png").statusCode());
    }

    @Test
    void largeUploadsAreStoredWhole() throws Exception {
        ImgedgeServer server = node();
        byte[] big = TestImages.noisePng(2400, 1600, 7);
        assertTrue(big.length > 10 << 20, "a body well past spool_above: " + big.length);
        List<CompletableFuture<HttpResponse<String>>> uploads = new ArrayList<>();
        // two at once: read back for processing, they fit the tenant's 32 MiB share together
        for (int i = 0; i < 2; i++) {
            uploads.add(Harness.CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.httpAddress().getPort() + "/upload")).header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        int created = 0;
        for (CompletableFuture<HttpResponse<String>> upload : uploads) {
            HttpResponse<String> response = upload.get(60, TimeUnit.SECONDS);
            assertTrue(response.statusCode() == 201 || response.statusCode() == 200, response.body());
            created += response.statusCode() == 201 ? 1 : 0;
            assertTrue(response.body().contains("\"width\":2400"), response.body());
        }
        assertTrue(created >= 1);
        // a body is let go once its response is written, which the client may see a moment before
        Eventually.until(() -> {
            try {
                return spooled() == 0 && metric(server, "imgedge_request_body_bytes") == 0;
            } catch (Exception e) {
                return false;
            }
        }, "spool files and memory given back after the responses");
    }

    /** A reader that stops reading a big original once pinned a copy of all of it in direct memory (issue 13). */
    @Test
    void slowReadersOfABigOriginalHoldAChunkEachNotACopy() throws Exception {
        ImgedgeServer server = node();
        byte[] big = TestImages.noisePng(2400, 1600, 11);
        HttpResponse<String> stored = Harness.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.httpAddress().getPort() + "/upload")).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, stored.statusCode(), stored.body());
        String key = stored.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
        long baseline = PlatformDependent.usedDirectMemory();
        assertEquals(big.length, get(server, "/i/" + key).body().length, "served whole to a reader that reads");
        Eventually.until(() -> PlatformDependent.usedDirectMemory() - baseline < 4L << 20, "that response's buffers freed");
        int readers = 10;
        for (int i = 0; i < readers; i++) {
            Socket socket = harness.closeLater(new Socket(InetAddress.getLoopbackAddress(), server.httpAddress().getPort()));
            socket.setReceiveBufferSize(16 << 10);
            socket.getOutputStream().write(("GET /i/" + key + " HTTP/1.1\r\nHost: imgedge\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertTrue(in.readNBytes(12).length == 12, "the response began"); // then it reads no more
        }
        // a body copied whole for writing is copied before its first byte goes out: it would show now
        long held = PlatformDependent.usedDirectMemory() - baseline;
        System.out.println("direct memory with " + readers + " stalled readers of " + (big.length >> 20) + " MiB: "
                + (held >> 20) + " MiB over the baseline");
        assertTrue(held < (long) readers * big.length / 4, "stalled readers hold " + (held >> 20) + " MiB, not "
                + readers + " copies of " + (big.length >> 20) + " MiB");
    }
}
