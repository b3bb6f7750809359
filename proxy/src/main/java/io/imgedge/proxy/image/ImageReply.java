package io.imgedge.proxy.image;

import java.time.Duration;
import java.util.Objects;

/**
 * A processed image ready to send. The array is shared with the cache: do not modify it.
 *
 * @param etag         strong entity tag, quoted
 * @param cacheStatus  {@code X-Cache}: hit-memory, hit-disk, miss or stale
 * @param serverTiming {@code Server-Timing}: fetch and transform durations, or the cache lookup
 */
public record ImageReply(byte[] bytes, String contentType, String etag, Duration maxAge, String cacheStatus,
                         String serverTiming) {
    public ImageReply {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(cacheStatus, "cacheStatus");
        Objects.requireNonNull(serverTiming, "serverTiming");
    }
}
