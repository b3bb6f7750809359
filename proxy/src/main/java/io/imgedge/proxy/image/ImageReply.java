package io.imgedge.proxy.image;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A processed image ready to send. The body is the cache's read-only buffer: read it through
 * {@code body().duplicate()}.
 *
 * @param etag         strong entity tag, quoted
 * @param cacheStatus  {@code X-Cache}: hit-memory, hit-disk, miss or stale
 * @param serverTiming {@code Server-Timing}: fetch and transform durations, or the cache lookup
 * @param varyAccept   whether the format was chosen by the request's {@code Accept} header
 * @param originStatus the origin's answer when this request had the original fetched (200), else 0
 */
public record ImageReply(ByteBuffer body, String contentType, String etag, Duration maxAge, String cacheStatus,
                         String serverTiming, boolean varyAccept, int originStatus) {
    public ImageReply {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(cacheStatus, "cacheStatus");
        Objects.requireNonNull(serverTiming, "serverTiming");
    }
}
