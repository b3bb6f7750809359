package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Closing a node stops new connections at once but lets a request in flight finish. */
class GracefulShutdownIT {
    @TempDir
    Path dir;

    @Test
    void inFlightRequestFinishesWhileNewConnectionsAreRefused() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("slow.png", TestImages.png(300, 300));
            ImgedgeServer server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), Map.of(
                    "imgedge.server.http.port", 0, "imgedge.server.https.enabled", false,
                    "imgedge.admin.enabled", false, "imgedge.signing.enabled", false,
                    "imgedge.sources.http.allow_loopback", true, "imgedge.server.shutdown_grace", "20s",
                    "imgedge.cache.disk.dir", dir.resolve("results").toString(),
                    "imgedge.cache.source.dir", dir.resolve("sources").toString(),
                    "imgedge.sources.http.allowed_ports", List.of(),
                    "imgedge.store.backends", List.of(Map.of("type", "file", "dir", dir.resolve("store").toString())))));
            int port = server.httpAddress().getPort();
            HttpClient client = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<byte[]>> inFlight = client.sendAsync(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/_/w:100/plain/" + origin.url("/gate/slow.png"))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(true, origin.gateReached.await(10, TimeUnit.SECONDS), "request reached the origin");

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            waitUntilRefused(port);
            assertFalse(closing.isDone(), "close waits for the request in flight");

            origin.openGate();
            HttpResponse<byte[]> response = inFlight.get(20, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals(100, TestImages.decode(response.body()).getWidth());
            closing.get(20, TimeUnit.SECONDS);
        }
    }

    /** close() stops the listener right away; a few connects may still race it (and get reset). */
    private static void waitUntilRefused(int port) throws IOException {
        for (int i = 0; i < 10_000; i++) {
            try (Socket _ = new Socket("127.0.0.1", port)) {
                Thread.onSpinWait();
            } catch (ConnectException refused) {
                return;
            } catch (SocketException resetWhileClosing) {
                Thread.onSpinWait();
            }
        }
        throw new AssertionError("listener still accepting after close()");
    }
}
