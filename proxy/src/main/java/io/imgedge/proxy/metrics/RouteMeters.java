package io.imgedge.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The per-request meters of one route: requests by status ({@code imgedge_requests_total}),
 * body bytes sent ({@code imgedge_bytes_sent_total}) and the latency histogram
 * ({@code imgedge_request_seconds}). Every request adds to them, so they are striped: each thread
 * counts into its own cells, with no shared write or clock read, and a scrape adds the stripes
 * up. Thread-safe; meant for the few long-lived threads that finish requests (the event loops):
 * every thread that records keeps a stripe for good.
 */
public final class RouteMeters {
    private static final int STATUSES = 600;
    /** Cells of a stripe: a count per status, then a count per latency bucket, total nanoseconds, total bytes. */
    private static final int BUCKET_CELLS = STATUSES;

    private final String route;
    private final MeterRegistry registry;
    /** Upper bounds of the latency buckets in nanoseconds; one bucket more holds the rest. */
    private final long[] bounds;
    private final double[] boundSeconds;
    private final int nanosCell;
    private final int bytesCell;
    private final List<AtomicLongArray> stripes = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<AtomicLongArray> stripe = new FastThreadLocal<>() {
        @Override
        protected AtomicLongArray initialValue() {
            AtomicLongArray cells = new AtomicLongArray(bytesCell + 1);
            stripes.add(cells);
            return cells;
        }
    };
    /** Statuses whose counter is registered (written under this object's lock). */
    private final boolean[] counted = new boolean[STATUSES];

    RouteMeters(String route, MeterRegistry registry, Duration[] latencyBounds) {
        this.route = route;
        this.registry = registry;
        this.bounds = new long[latencyBounds.length];
        this.boundSeconds = new double[latencyBounds.length + 1];
        for (int i = 0; i < latencyBounds.length; i++) {
            bounds[i] = latencyBounds[i].toNanos();
            boundSeconds[i] = latencyBounds[i].toNanos() / 1e9;
        }
        boundSeconds[latencyBounds.length] = Double.POSITIVE_INFINITY;
        this.nanosCell = BUCKET_CELLS + boundSeconds.length;
        this.bytesCell = nanosCell + 1;
        FunctionCounter.builder("imgedge.bytes.sent", this, m -> m.total(bytesCell))
                .description("response body bytes written").tag("route", route).register(registry);
    }

    /** One finished request ({@code status} 100..599) that took {@code nanos} and sent {@code sent} body bytes. */
    public void request(int status, long nanos, long sent) {
        if (!counted[status]) {
            count(status);
        }
        int bucket = 0;
        while (bucket < bounds.length && nanos > bounds[bucket]) {
            bucket++;
        }
        AtomicLongArray cells = stripe.get();
        // one writer per stripe: a plain read and an opaque write, which a scrape's opaque read sees
        cells.setOpaque(status, cells.getPlain(status) + 1);
        cells.setOpaque(BUCKET_CELLS + bucket, cells.getPlain(BUCKET_CELLS + bucket) + 1);
        cells.setOpaque(nanosCell, cells.getPlain(nanosCell) + nanos);
        cells.setOpaque(bytesCell, cells.getPlain(bytesCell) + sent);
    }

    private synchronized void count(int status) {
        if (!counted[status]) {
            FunctionCounter.builder("imgedge.requests", this, m -> m.total(status)).description("requests answered")
                    .tags("route", route, "status", Integer.toString(status)).register(registry);
            counted[status] = true;
        }
    }

    private long total(int cell) {
        long sum = 0;
        for (AtomicLongArray cells : stripes) {
            sum += cells.getOpaque(cell);
        }
        return sum;
    }

    /** The latency histogram's data point for this route, for a scrape. */
    HistogramDataPointSnapshot latency() {
        long[] counts = new long[boundSeconds.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = total(BUCKET_CELLS + i);
        }
        return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(boundSeconds, counts), total(nanosCell) / 1e9,
                Labels.of("route", route), Exemplars.EMPTY, 0L);
    }
}
