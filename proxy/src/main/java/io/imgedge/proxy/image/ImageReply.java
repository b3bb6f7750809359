package io.imgedge.proxy.image;

import java.time.Duration;
import java.util.Objects;

/**
 * A processed image ready to send. The array is owned by this record: do not modify it.
 *
 * @param etag strong entity tag, quoted
 */
public record ImageReply(byte[] bytes, String contentType, String etag, Duration maxAge, long fetchNanos,
                         long transformNanos) {
    public ImageReply {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(maxAge, "maxAge");
    }

    /** {@code Server-Timing} value: fetch and transform durations in milliseconds. */
    public String serverTiming() {
        return String.format(java.util.Locale.ROOT, "fetch;dur=%.1f, transform;dur=%.1f",
                fetchNanos / 1e6, transformNanos / 1e6);
    }
}
