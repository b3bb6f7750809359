package io.imgedge.proxy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An open-loop load generator for {@code scripts/bench} (overload) and {@code scripts/soak}: it
 * sends requests at a fixed rate whatever the answers take (as real clients arrive), a share of
 * them to pre-warmed hit URLs and the rest to misses that are each new (a counter in the URL), and
 * prints, per interval: hits and misses served, refused (503/429), errors, p50/p99 of the served
 * misses and hits, and the server's RSS, heap, direct memory and open files. Not a test.
 *
 * <p>Arguments: {@code base rate warmup seconds interval hitShare hitPath missTemplate pid admin}:
 * {@code warmup} seconds at the same rate come first, not counted (the generator's own JIT and the
 * server's queues settle); the miss template has {@code {n}} where the counter goes. A last line
 * sums the run.
 */
public final class LoadGenerator {
    /** Requests waiting for an answer at most: more are counted as refused by the client. */
    private static final int MAX_OUTSTANDING = 4096;

    /** One interval's tallies; latencies in microseconds. */
    private static final class Tally {
        final AtomicLong hits = new AtomicLong();
        final AtomicLong misses = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong refusedSlow = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final List<Long> missLatency = new ArrayList<>();
        final List<Long> hitLatency = new ArrayList<>();

        synchronized void served(boolean hit, long micros) {
            (hit ? hitLatency : missLatency).add(micros);
            (hit ? hits : misses).incrementAndGet();
        }
    }

    private LoadGenerator() {
    }

    /** A response's status and X-Cache. */
    private record Answer(int status, String cache) {
    }

    /**
     * Keep-alive HTTP/1.1 connections to one server, written by hand so that the generator costs
     * little CPU beside the server it measures (the JDK's HttpClient cost several times as much):
     * a GET, then the head read and the body (by Content-Length) skipped.
     */
    private static final class Connections {
        private final String host;
        private final int port;
        private final java.util.concurrent.ConcurrentLinkedQueue<java.net.Socket> idle = new java.util.concurrent.ConcurrentLinkedQueue<>();

        Connections(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** The answer to GET {@code path}, or null when the connection failed. */
        Answer get(String path) {
            java.net.Socket socket = idle.poll();
            try {
                if (socket == null) {
                    socket = new java.net.Socket(host, port);
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(60_000);
                }
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                java.io.InputStream in = socket.getInputStream();
                String head = head(in);
                int status = Integer.parseInt(head.substring(9, 12));
                long length = 0;
                String cache = "";
                boolean close = false;
                for (String line : head.split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String name = line.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
                    String value = line.substring(colon + 1).strip();
                    switch (name) {
                        case "content-length" -> length = Long.parseLong(value);
                        case "x-cache" -> cache = value;
                        case "connection" -> close = value.equalsIgnoreCase("close");
                        default -> {
                        }
                    }
                }
                in.skipNBytes(length);
                if (close) {
                    socket.close();
                } else {
                    idle.add(socket);
                }
                return new Answer(status, cache);
            } catch (IOException | RuntimeException e) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // gone anyway
                    }
                }
                return null;
            }
        }

        private static String head(java.io.InputStream in) throws IOException {
            StringBuilder head = new StringBuilder(256);
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                head.append((char) b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                        ? matched + 1 : b == '\r' ? 1 : 0;
            }
            return head.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        double rate = Double.parseDouble(args[1]);
        long warmup = Long.parseLong(args[2]);
        long seconds = Long.parseLong(args[3]);
        long interval = Long.parseLong(args[4]);
        double hitShare = Double.parseDouble(args[5]);
        String hitPath = args[6];
        String missTemplate = args[7];
        long pid = Long.parseLong(args[8]);
        String admin = args[9];

        URI target = URI.create(base);
        Connections connections = new Connections(target.getHost(), target.getPort());
        ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
        Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
        AtomicLong counter = new AtomicLong();
        AtomicReference<Tally> current = new AtomicReference<>(new Tally());
        AtomicReference<Tally> total = new AtomicReference<>(new Tally());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long periodNanos = (long) (1_000_000_000L / rate);
        long hitEvery = hitShare <= 0 ? Long.MAX_VALUE : Math.max(1, Math.round(1 / (1 - Math.min(hitShare, 0.999))));
        ticker.scheduleAtFixedRate(() -> {
            long n = counter.incrementAndGet();
            boolean hit = hitShare > 0 && (hitShare >= 1 || n % hitEvery != 0);
            String path = hit ? hitPath : missTemplate.replace("{n}", Long.toString(n));
            if (!outstanding.tryAcquire()) {
                current.get().refused.incrementAndGet();
                total.get().refused.incrementAndGet();
                return;
            }
            long start = System.nanoTime();
            senders.execute(() -> {
                Answer answer = connections.get(path);
                outstanding.release();
                long micros = (System.nanoTime() - start) / 1000;
                // counted in the interval it ends in: what an interval served is what it served then
                for (Tally t : new Tally[]{current.get(), total.get()}) {
                    if (answer == null) {
                        t.errors.incrementAndGet();
                    } else if (answer.status() == 200) {
                        t.served(answer.cache().startsWith("hit"), micros);
                    } else if (answer.status() == 503 || answer.status() == 429) {
                        t.refused.incrementAndGet();
                        if (micros > 100_000) {
                            t.refusedSlow.incrementAndGet();
                        }
                    } else {
                        t.errors.incrementAndGet();
                    }
                }
            });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);

        System.out.printf("%6s %8s %8s %8s %8s %9s %9s %9s %9s %8s %8s %8s %6s%n", "time", "hits", "misses", "refused",
                "errors", "miss p50", "miss p99", "hit p50", "hit p99", "RSS MiB", "heap MiB", "dir MiB", "fds");
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
        current.set(new Tally());
        total.set(new Tally());
        long started = System.nanoTime();
        for (long at = interval; at <= seconds; at += interval) {
            Thread.sleep(Math.max(0, started + TimeUnit.SECONDS.toNanos(at) - System.nanoTime()) / 1_000_000);
            print(String.format("%5ds", at), current.getAndSet(new Tally()), interval, pid, admin);
        }
        ticker.shutdownNow();
        // printed at once: what ends after the run is not counted, the total is what was served within it
        Tally all = total.get();
        print("total", all, seconds, pid, admin);
        System.out.printf("refused in over 100 ms: %d of %d refusals%n", all.refusedSlow.get(), all.refused.get());
        System.exit(0);
    }

    private static void print(String label, Tally t, long seconds, long pid, String admin) {
        long[] misses;
        long[] hits;
        synchronized (t) {
            misses = t.missLatency.stream().mapToLong(Long::longValue).sorted().toArray();
            hits = t.hitLatency.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        Map<String, Double> memory = memory(admin);
        System.out.printf("%6s %8d %8d %8d %8d %9s %9s %9s %9s %8s %8s %8s %6s   (%.1f misses/s)%n", label, t.hits.get(),
                t.misses.get(), t.refused.get(), t.errors.get(), ms(misses, 50), ms(misses, 99), ms(hits, 50), ms(hits, 99),
                rssMiB(pid), mib(memory.get("heap")), mib(memory.get("direct")), fds(pid),
                t.misses.get() / (double) seconds);
    }

    private static String ms(long[] sorted, int percentile) {
        if (sorted.length == 0) {
            return "-";
        }
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * percentile / 100.0) - 1));
        return String.format("%.1f", sorted[i] / 1000.0);
    }

    private static String rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.toString(Long.parseLong(line.replaceAll("\\D", "")) / 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "-";
        }
        return "-";
    }

    private static String fds(long pid) {
        String[] open = Path.of("/proc/" + pid + "/fd").toFile().list();
        return open == null ? "-" : Integer.toString(open.length);
    }

    /** Heap and direct memory in use, from the node's Prometheus metrics. */
    private static Map<String, Double> memory(String admin) {
        Map<String, Double> memory = new HashMap<>();
        try {
            HttpClient client = HttpClient.newHttpClient();
            String body = client.send(HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            memory.put("heap", sum(body, "jvm_memory_used_bytes{area=\"heap\""));
            memory.put("direct", sum(body, "jvm_buffer_memory_used_bytes{id=\"direct\""));
        } catch (IOException e) {
            return memory;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return memory;
    }

    private static double sum(String metrics, String prefix) {
        return Arrays.stream(metrics.split("\n")).filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String mib(Double bytes) {
        return bytes == null ? "-" : Long.toString((long) (bytes / (1 << 20)));
    }
}
