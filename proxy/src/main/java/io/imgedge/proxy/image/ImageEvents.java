package io.imgedge.proxy.image;

import io.imgedge.vips.ImageFormat;

/**
 * What happens on the image path, told to whoever watches it (OkHttp's EventListener): the
 * steps call this one listener instead of meters of their own. Implementations are thread-safe
 * and cheap; they never throw.
 */
public interface ImageEvents {
    /** A cached result was served stale while it is made again. */
    void servedStale();

    /** A request joined work already in flight ({@code kind}: result or source). */
    void collapsed(String kind);

    /** An origin was asked: {@code status} is 200 when it gave the original, else the status its failure maps to. */
    void fetched(String kind, int status, long nanos);

    /** libvips made a result. */
    void transformed(ImageFormat format, long nanos);

    /** A request was refused to keep the server up ({@code reason}: busy, origin_circuit). */
    void refused(String reason);

    /**
     * A template rendering for customer {@code tenant} ended: {@code outcome} is rendered,
     * failed, throttled_slow (its slow-work budget spent), throttled_share (its renders in
     * flight) or busy (every slot taken).
     */
    void templateRendered(String tenant, String outcome);

    /** A product-image download or a drawing ({@code operation}: download, draw) for {@code tenant} was slow. */
    void templateSlow(String tenant, String operation);
}
