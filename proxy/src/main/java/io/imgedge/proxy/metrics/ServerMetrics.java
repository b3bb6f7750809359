package io.imgedge.proxy.metrics;

import io.imgedge.vips.WorkerPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

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

    private static final MetricMetadata REQUEST_SECONDS = new MetricMetadata("imgedge_request_seconds",
            "time from request to response written", Unit.SECONDS);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Meters by name and tag values: registering looks up ids, so the hot path reuses them. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    // Gauges over suppliers hold them strongly: by default Micrometer keeps only a weak
    // reference, and a lambda nobody else holds would read NaN after a collection.

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
        // the request latency histogram, from the routes' striped cells (RouteMeters), not a Micrometer timer
        registry.getPrometheusRegistry().register(new Collector() {
            @Override
            public MetricSnapshot collect() {
                return new HistogramSnapshot(REQUEST_SECONDS, routes.values().stream().map(RouteMeters::latency).toList());
            }

            @Override
            public String getPrometheusName() {
                return REQUEST_SECONDS.getPrometheusName();
            }
        });
    }

    /** The meters of {@code route} (as in imgedge_requests_total). */
    public RouteMeters route(String route) {
        RouteMeters meters = routes.get(route);
        return meters != null ? meters : routes.computeIfAbsent(route, r -> new RouteMeters(r, registry, LATENCY_BUCKETS));
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(name + String.join("|", tags),
                _ -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private Timer timer(String name, String description, String... tags) {
        return timers.computeIfAbsent(name + String.join("|", tags), _ -> Timer.builder(name).description(description)
                .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
    }

    /** The counter of cache lookups in {@code tier} (memory, disk, source-memory, ...) with {@code result} hit/miss/stale. */
    public Counter cacheLookups(String tier, String result) {
        return counter("imgedge.cache.lookups", "cache lookups by tier and result", "tier", tier, "result", result);
    }

    /** A gauge of the bytes one cache tier holds. */
    public void cacheBytes(String tier, LongSupplier bytes) {
        Gauge.builder("imgedge.cache.bytes", bytes, LongSupplier::getAsLong).description("bytes held by a cache tier")
                .baseUnit("bytes").tag("tier", tier).strongReference(true).register(registry);
    }

    /**
     * Counters of a disk tier's failed I/O (disk full, read-only) and of entries dropped as
     * corrupt, read from {@code diskTier} (which the caller keeps alive: counters hold it weakly).
     */
    public <T> void cacheDiskFailures(String tier, T diskTier, ToDoubleFunction<T> io, ToDoubleFunction<T> corrupt) {
        FunctionCounter.builder("imgedge.cache.disk.failures", diskTier, io)
                .description("disk cache operations that failed or found a damaged entry")
                .tag("tier", tier).tag("kind", "io").register(registry);
        FunctionCounter.builder("imgedge.cache.disk.failures", diskTier, corrupt)
                .description("disk cache operations that failed or found a damaged entry")
                .tag("tier", tier).tag("kind", "corrupt").register(registry);
    }

    /** A request that joined work already in flight ({@code kind} result or source). */
    public void collapsed(String kind) {
        counter("imgedge.collapsed", "requests that joined in-flight work instead of repeating it", "kind", kind).increment();
    }

    /** One origin fetch: {@code kind} http/s3/local, {@code outcome} ok/error. */
    public void originFetch(String kind, String outcome, long nanos) {
        timer("imgedge.origin.fetch", "time to fetch an original", "kind", kind, "outcome", outcome)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * What one origin fetch came to, as the status it maps to ({@code kind} http/s3/local/store):
     * 200 fetched, 404 missing, 413 too large, 502 origin error, 503 circuit open, 504 timeout.
     */
    public void originResponse(String kind, int status) {
        counter("imgedge.origin.responses", "origin fetches by kind and resulting status", "kind", kind,
                "status", Integer.toString(status)).increment();
    }

    /** Request body bytes read (uploads), by route. */
    public void bytesReceived(String route, long bytes) {
        counter("imgedge.bytes.received", "request body bytes read", "route", route).increment(bytes);
    }

    /** One transform, by output format. */
    public void transform(String format, long nanos) {
        timer("imgedge.transform", "time to decode, resize and encode one image", "format", format)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Gauges for the transform pool's queue and running tasks. */
    public void bindWorkers(WorkerPool workers) {
        Gauge.builder("imgedge.transform.queue.depth", workers, WorkerPool::queueDepth)
                .description("transforms waiting for a worker").register(registry);
        Gauge.builder("imgedge.transforms.in.flight", workers, WorkerPool::inFlight)
                .description("transforms running").register(registry);
        FunctionCounter.builder("imgedge.transforms.dropped", workers, WorkerPool::expired).tag("reason", "deadline")
                .description("queued transforms not run: their deadline passed, or nobody waited any more").register(registry);
        FunctionCounter.builder("imgedge.transforms.dropped", workers, WorkerPool::abandoned).tag("reason", "abandoned")
                .description("queued transforms not run: their deadline passed, or nobody waited any more").register(registry);
    }

    /** A template rendering of customer {@code tenant} ended with {@code outcome} (see ImageEvents.templateRendered). */
    public void templateRender(String tenant, String outcome) {
        counter("imgedge.template.renders", "template renderings by customer and outcome", "tenant", tenant, "outcome", outcome)
                .increment();
    }

    /** A slow product-image download or drawing for customer {@code tenant}. */
    public void templateSlow(String tenant, String operation) {
        counter("imgedge.template.slow", "slow template operations by customer", "tenant", tenant, "operation", operation).increment();
    }

    /** A request refused to keep things fair or the server up ({@code reason}: client_rate, client_misses, upload_rate, busy, origin_circuit). */
    public void throttled(String reason) {
        counter("imgedge.throttled", "requests refused by a limit", "reason", reason).increment();
    }

    /** Copies read from the store that did not match their content address (each passed over and replaced). */
    public <T> void storeDamagedReads(T store, ToDoubleFunction<T> count) {
        FunctionCounter.builder("imgedge.store.damaged.reads", store, count)
                .description("store copies whose bytes did not match their content address").register(registry);
    }

    /** A gauge of the bytes request bodies hold in memory now. */
    public void bodyBytes(LongSupplier held) {
        Gauge.builder("imgedge.request.body.bytes", held, LongSupplier::getAsLong)
                .description("bytes request bodies hold in memory").strongReference(true).register(registry);
    }

    /** A gauge of the public connections open now. */
    public void connectionsOpen(IntSupplier open) {
        Gauge.builder("imgedge.connections.open", open, IntSupplier::getAsInt)
                .description("public connections open").strongReference(true).register(registry);
    }

    /** A gauge that is 1 while limits are decided locally because Redis does not answer. */
    public void redisFallback(BooleanSupplier fallingBack) {
        Gauge.builder("imgedge.redis.fallback", fallingBack, f -> f.getAsBoolean() ? 1 : 0)
                .description("1 while limits are local because Redis does not answer").strongReference(true)
                .register(registry);
    }

    /** A gauge that is 1 while a store backend passes its health checks. */
    public void storeBackendUp(String backend, BooleanSupplier up) {
        Gauge.builder("imgedge.store.backend.up", up, u -> u.getAsBoolean() ? 1 : 0)
                .description("1 while a store backend passes its health checks").tag("backend", backend)
                .strongReference(true).register(registry);
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
