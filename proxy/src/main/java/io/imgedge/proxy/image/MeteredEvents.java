package io.imgedge.proxy.image;

import io.imgedge.proxy.metrics.ServerMetrics;
import io.imgedge.vips.ImageFormat;
import io.micrometer.core.instrument.Counter;

/** The image path's events as Prometheus metrics. Thread-safe. */
public final class MeteredEvents implements ImageEvents {
    private final ServerMetrics metrics;
    private final Counter staleHits;

    public MeteredEvents(ServerMetrics metrics) {
        this.metrics = metrics;
        this.staleHits = metrics.cacheLookups("result", "stale");
    }

    @Override
    public void servedStale() {
        staleHits.increment();
    }

    @Override
    public void collapsed(String kind) {
        metrics.collapsed(kind);
    }

    @Override
    public void fetched(String kind, int status, long nanos) {
        metrics.originFetch(kind, status == 200 ? "ok" : "error", nanos);
        metrics.originResponse(kind, status);
    }

    @Override
    public void transformed(ImageFormat format, long nanos) {
        metrics.transform(format.extension(), nanos);
    }

    @Override
    public void refused(String reason) {
        metrics.throttled(reason);
    }

    @Override
    public void templateRendered(String tenant, String outcome) {
        metrics.templateRender(tenant, outcome);
    }

    @Override
    public void templateSlow(String tenant, String operation) {
        metrics.templateSlow(tenant, operation);
    }
}
