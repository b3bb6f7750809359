package io.imgedge.proxy.metrics;

import io.imgedge.vips.WorkerPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;

import java.time.Duration;

/**
 * imgedge's meters in one Prometheus registry. Names follow DESIGN.md (prefix {@code imgedge_}).
 * Thread-safe.
 */
public final class ServerMetrics implements AutoCloseable {
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
        Gauge.builder("imgedge.netty.direct.memory", PlatformDependent::usedDirectMemory)
                .description("direct memory Netty has reserved (bytes)").baseUnit("bytes").register(registry);
        Gauge.builder("imgedge.netty.pooled.memory", () -> PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory())
                .description("direct memory held by Netty's pooled allocator (bytes)").baseUnit("bytes").register(registry);
    }

    /** Records one finished request. */
    public void request(String route, int status, long nanos) {
        Counter.builder("imgedge.requests").description("requests answered")
                .tag("route", route).tag("status", Integer.toString(status)).register(registry).increment();
        Timer.builder("imgedge.request").description("time from request to response written")
                .tag("route", route).serviceLevelObjectives(LATENCY_BUCKETS).register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** Gauges for the transform pool's queue and running tasks. */
    public void bindWorkers(WorkerPool workers) {
        Gauge.builder("imgedge.transform.queue.depth", workers, WorkerPool::queueDepth)
                .description("transforms waiting for a worker").register(registry);
        Gauge.builder("imgedge.transforms.in.flight", workers, WorkerPool::inFlight)
                .description("transforms running").register(registry);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
