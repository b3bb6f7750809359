package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a node started from the jar, as an operator or an orchestrator stops it: it stops
 * accepting at once, {@code /ready} answers 503 on the admin port while it drains, idle
 * keep-alive connections are closed, and every request in flight completes before it exits.
 */
class GracefulShutdownIT {
    static final int IN_FLIGHT = 50;

    @TempDir
    Path dir;

    @Test
    void sigtermLetsFiftyRequestsInFlightFinishAndAcceptsNoNewConnection() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("slow.png", TestImages.png(300, 300));
            int http = freePort();
            int admin = freePort();
            Process node = start(http, admin);
            try {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                awaitStatus(client, "http://127.0.0.1:" + admin + "/ready", 200, node);
                // conf/logback.xml as shipped: a new user sees imgedge's start-up lines, not Logback's own status
                assertFalse(log().contains("ch.qos.logback"), () -> "Logback reported its status:\n" + log());
                try (Socket idle = new Socket(InetAddress.getLoopbackAddress(), http)) {
                    idle.setSoTimeout(20_000);
                    idle.getOutputStream().write("HEAD /health HTTP/1.1\r\nHost: imgedge\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertTrue(readHead(idle.getInputStream()).startsWith("HTTP/1.1 200"), "keep-alive connection answered");

                    List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
                    for (int i = 0; i < IN_FLIGHT; i++) {
                        // a source of its own each (the query), so none collapses into another
                        inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                                + "/_/w:100/plain/" + origin.url("/gate/slow.png%3Fn=" + i))).build(),
                                HttpResponse.BodyHandlers.ofByteArray()));
                    }
                    Eventually.until(() -> origin.hits("/gate/slow.png") == IN_FLIGHT,
                            () -> origin.hits("/gate/slow.png") + " of " + IN_FLIGHT + " requests at the origin");

                    node.destroy(); // SIGTERM
                    awaitStatus(client, "http://127.0.0.1:" + admin + "/ready", 503, node);
                    waitUntilRefused(http);
                    assertEquals(-1, idle.getInputStream().read(), "the idle keep-alive connection is closed");
                    assertTrue(node.isAlive(), "the node waits for its requests in flight");
                    assertTrue(inFlight.stream().noneMatch(CompletableFuture::isDone), "nothing answered before the origin");

                    origin.openGate();
                    for (CompletableFuture<HttpResponse<byte[]>> request : inFlight) {
                        HttpResponse<byte[]> response = request.get(30, TimeUnit.SECONDS);
                        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
                        assertEquals(100, TestImages.decode(response.body()).getWidth());
                    }
                }
                assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node exits once drained");
            } finally {
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anHttp2StreamInFlightFinishesAfterTheGoaway() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.put("slow.png", TestImages.png(300, 300));
            Map<String, Object> overrides = TestNodes.overrides(dir, "h2");
            overrides.put("imgedge.server.https.enabled", true);
            overrides.put("imgedge.server.https.port", 0);
            overrides.put("imgedge.server.https.self_signed_dir", dir.resolve("tls").toString());
            overrides.put("imgedge.server.shutdown_grace", "30s");
            overrides.put("imgedge.sources.http.allow_loopback", true);
            overrides.put("imgedge.sources.http.allowed_ports", List.of());
            ImgedgeServer server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), overrides));
            int port = server.httpsAddress().orElseThrow().getPort();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(ImgedgeServerIT.trusting(dir.resolve("tls/cert.pem"))).build();
            CompletableFuture<HttpResponse<byte[]>> inFlight = client.sendAsync(HttpRequest.newBuilder(URI.create(
                    "https://localhost:" + port + "/_/w:100/plain/" + origin.url("/gate/slow.png"))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(origin.gateReached.await(10, TimeUnit.SECONDS), "the stream reached the origin");

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            waitUntilRefused(port);
            assertTrue(!closing.isDone() && !inFlight.isDone(), "the stream is still being answered");
            origin.openGate();
            HttpResponse<byte[]> response = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals(200, response.statusCode());
            assertEquals(100, TestImages.decode(response.body()).getWidth());
            closing.get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code java -jar target/imgedge.jar} on reference defaults, working in the test's directory. */
    private Process start(int http, int admin) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dlogback.configurationFile=" + Path.of("../conf/logback.xml").toAbsolutePath(),
                "-jar", Path.of("target/imgedge.jar").toAbsolutePath().toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("node.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("IMGEDGE_SERVER_HTTP_HOST", "127.0.0.1");
        env.put("IMGEDGE_SERVER_HTTP_PORT", Integer.toString(http));
        env.put("IMGEDGE_SERVER_HTTPS_ENABLED", "false");
        env.put("IMGEDGE_ADMIN_PORT", Integer.toString(admin));
        env.put("IMGEDGE_SERVER_SHUTDOWN_GRACE", "60s");
        env.put("IMGEDGE_SIGNING_ENABLED", "false");
        env.put("IMGEDGE_SOURCES_HTTP_ALLOW_LOOPBACK", "true");
        env.put("IMGEDGE_SOURCES_HTTP_ALLOWED_PORTS", "");
        env.put("IMGEDGE_SOURCES_HTTP_MAX_CONNECTIONS_PER_HOST", Integer.toString(IN_FLIGHT));
        env.put("IMGEDGE_LOG_ACCESS_ENABLED", "false");
        return builder.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Polls {@code url} until it answers {@code status}; fails if the node exits first. */
    private void awaitStatus(HttpClient client, String url, int status, Process node) throws Exception {
        Eventually.until(() -> {
            assertTrue(node.isAlive() || status == 503, () -> "node exited: " + log());
            try {
                return client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == status;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, () -> url + " never answered " + status + "; node log:\n" + log());
    }

    private String log() {
        try {
            return java.nio.file.Files.readString(dir.resolve("node.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Reads a response head whole (up to the empty line); the body is not read. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** The listener closes at SIGTERM; a few connects may still race it (and get reset). */
    private static void waitUntilRefused(int port) throws Exception {
        Eventually.until(() -> {
            try (Socket _ = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return false;
            } catch (ConnectException refused) {
                return true;
            } catch (SocketException resetWhileClosing) {
                return false;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "listener still accepting after SIGTERM");
    }
}
