package io.imgedge.proxy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open-loop load generator for {@code scripts/bench} (overload) and {@code scripts/soak}: it
 * sends requests at a fixed rate whatever the answers take (as real clients arrive), a share of
 * them to pre-warmed hit URLs and the rest to misses that are each new (a counter in the URL), and
 * prints, per interval: hits and misses served, refused (503/429), errors, p50/p99 of the served
 * misses and hits, and the server's RSS, heap, direct memory and open files. Not a test.
 *
 * <p>Arguments: {@code base rate seconds interval hitShare hitPath missTemplate pid admin}; the
 * miss template has {@code {n}} where the counter goes. A last line sums the whole run.
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

    public static void main(String[] args) throws Exception {
        String base = args[0];
        double rate = Double.parseDouble(args[1]);
        long seconds = Long.parseLong(args[2]);
        long interval = Long.parseLong(args[3]);
        double hitShare = Double.parseDouble(args[4]);
        String hitPath = args[5];
        String missTemplate = args[6];
        long pid = Long.parseLong(args[7]);
        String admin = args[8];

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(5)).build();
        Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
        AtomicLong counter = new AtomicLong();
        Tally[] current = {new Tally()};
        Tally total = new Tally();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long periodNanos = (long) (1_000_000_000L / rate);
        long[] sent = {0};
        long hitEvery = hitShare <= 0 ? Long.MAX_VALUE : Math.max(1, Math.round(1 / (1 - Math.min(hitShare, 0.999))));
        ticker.scheduleAtFixedRate(() -> {
            long n = counter.incrementAndGet();
            boolean hit = hitShare > 0 && (hitShare >= 1 || n % hitEvery != 0);
            String path = hit ? hitPath : missTemplate.replace("{n}", Long.toString(n));
            Tally tally = current[0];
            if (!outstanding.tryAcquire()) {
                tally.refused.incrementAndGet();
                total.refused.incrementAndGet();
                return;
            }
            sent[0]++;
            long start = System.nanoTime();
            client.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                outstanding.release();
                long micros = (System.nanoTime() - start) / 1000;
                for (Tally t : new Tally[]{tally, total}) {
                    if (failure != null) {
                        t.errors.incrementAndGet();
                    } else if (response.statusCode() == 200) {
                        t.served(response.headers().firstValue("x-cache").orElse("").startsWith("hit"), micros);
                    } else if (response.statusCode() == 503 || response.statusCode() == 429) {
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
        long started = System.nanoTime();
        for (long at = interval; at <= seconds; at += interval) {
            Thread.sleep(Math.max(0, started + TimeUnit.SECONDS.toNanos(at) - System.nanoTime()) / 1_000_000);
            Tally done = current[0];
            current[0] = new Tally();
            print(String.format("%5ds", at), done, interval, pid, admin);
        }
        ticker.shutdownNow();
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (outstanding.availablePermits() < MAX_OUTSTANDING && System.nanoTime() < drainUntil) {
            Thread.sleep(50);
        }
        print("total", total, seconds, pid, admin);
        System.out.printf("refused in over 100 ms: %d of %d refusals%n", total.refusedSlow.get(), total.refused.get());
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
