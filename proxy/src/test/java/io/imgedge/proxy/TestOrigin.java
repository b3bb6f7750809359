package io.imgedge.proxy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP origin on loopback for integration tests. Paths:
 * <ul>
 *   <li>{@code /img/NAME}: bytes registered with {@link #put} (404 when unknown)</li>
 *   <li>{@code /status/CODE}: an empty answer with that status</li>
 *   <li>{@code /redirect/N/NAME}: N redirects, then {@code /img/NAME}</li>
 *   <li>{@code /redirect-to?URL}: one redirect to that URL, wherever it points</li>
 *   <li>{@code /stall}: never answers until the origin is closed</li>
 *   <li>{@code /stream/BYTES}: a chunked body of that many bytes (no Content-Length); what was
 *       written before the client went away is in {@link #streamed}</li>
 *   <li>{@code /slow/MILLIS/NAME}: waits that long, then serves {@code NAME}</li>
 *   <li>{@code /gate/NAME}: counts down {@link #gateReached}, waits for {@link #openGate}, then
 *       serves {@code NAME}</li>
 * </ul>
 * Every request is counted per path, the headers of the last one for each path and the most
 * requests it ever had open at once are kept.
 */
final class TestOrigin implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> images = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> headers = new ConcurrentHashMap<>();
    private final Map<String, Headers> requestHeaders = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, Integer> clientPorts = new ConcurrentHashMap<>();
    private final AtomicLong streamed = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    final CountDownLatch gateReached = new CountDownLatch(1);

    TestOrigin() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void put(String name, byte[] bytes) {
        images.put(name, bytes);
    }

    /** From now on {@code /img/NAME} is 404. */
    void remove(String name) {
        images.remove(name);
    }

    /** Serves {@code bytes} with a {@code Cache-Control} header. */
    void put(String name, byte[] bytes, String cacheControlHeader) {
        put(name, bytes, Map.of("Cache-Control", cacheControlHeader));
    }

    /** Serves {@code bytes} with these response headers. */
    void put(String name, byte[] bytes, Map<String, String> responseHeaders) {
        images.put(name, bytes);
        headers.put(name, responseHeaders);
    }

    /** The headers of the last request for {@code path}, or none. */
    Headers requestHeaders(String path) {
        return requestHeaders.getOrDefault(path, new Headers());
    }

    void openGate() {
        gate.countDown();
    }

    /** The client port of the last request for {@code path}: one port, one connection. */
    int clientPort(String path) {
        return clientPorts.getOrDefault(path, -1);
    }

    /** The most requests this origin was answering at one time. */
    int mostConcurrent() {
        return mostOpen.get();
    }

    /** Bytes of {@code /stream/} bodies written so far. */
    long streamed() {
        return streamed.get();
    }

    int hits(String path) {
        return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(path, _ -> new AtomicInteger()).incrementAndGet();
        clientPorts.put(path, exchange.getRemoteAddress().getPort());
        requestHeaders.put(path, exchange.getRequestHeaders());
        mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        try (exchange) {
            String[] parts = path.split("/");
            String kind = parts.length > 1 ? parts[1] : "";
            if (kind.equals("gate")) {
                gateReached.countDown();
                gate.await(60, TimeUnit.SECONDS);
            }
            if (kind.equals("slow")) {
                closing.await(Integer.parseInt(parts[2]), TimeUnit.MILLISECONDS);
                kind = "img";
                path = "/img/" + parts[3];
            }
            switch (kind) {
                case "img", "gate" -> {
                    String name = path.substring(kind.length() + 2);
                    byte[] body = images.get(name);
                    if (body == null) {
                        exchange.sendResponseHeaders(404, -1);
                    } else {
                        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                        headers.getOrDefault(name, Map.of()).forEach(exchange.getResponseHeaders()::set);
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                    }
                }
                case "status" -> exchange.sendResponseHeaders(Integer.parseInt(parts[2]), -1);
                case "redirect-to" -> {
                    exchange.getResponseHeaders().set("Location", exchange.getRequestURI().getRawQuery());
                    exchange.sendResponseHeaders(302, -1);
                }
                case "redirect" -> {
                    int left = Integer.parseInt(parts[2]);
                    String next = left <= 1 ? "/img/" + parts[3] : "/redirect/" + (left - 1) + "/" + parts[3];
                    exchange.getResponseHeaders().set("Location", next);
                    exchange.sendResponseHeaders(302, -1);
                }
                case "stall" -> closing.await(60, TimeUnit.SECONDS);
                case "stream" -> {
                    int size = Integer.parseInt(parts[2]);
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream out = exchange.getResponseBody();
                    byte[] chunk = new byte[64 * 1024];
                    for (int sent = 0; sent < size; sent += chunk.length) {
                        int n = Math.min(chunk.length, size - sent);
                        out.write(chunk, 0, n);
                        streamed.addAndGet(n);
                    }
                }
                default -> exchange.sendResponseHeaders(404, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client (imgedge) went away: expected for stalls and over-limit bodies
        } finally {
            open.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
