package io.imgedge.proxy.image;

import io.imgedge.proxy.cache.OriginHeaders;
import io.imgedge.proxy.cache.SharedFile;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * A processed image ready to send. The body is the cache's read-only buffer: read it through
 * {@code body().duplicate()}.
 *
 * @param etag         strong entity tag, quoted
 * @param cacheControl the {@code Cache-Control} header
 * @param lastModified the {@code Last-Modified} header, epoch millis, or {@link OriginHeaders#UNKNOWN} for none
 * @param cacheStatus  {@code X-Cache}: hit-memory, hit-disk, miss, collapsed (joined another request's miss) or stale
 * @param serverTiming {@code Server-Timing}: fetch and transform durations, or the cache lookup
 * @param vary         the {@code Vary} header: the request headers the answer depends on ("" = none)
 * @param originStatus the origin's answer when this request had the original fetched (200), else 0
 * @param file         where the same bytes lie on disk, for sending them from the file instead
 * @param disposition  the {@code Content-Disposition} header ("" = none)
 */
public record ImageReply(ByteBuffer body, String contentType, String etag, String cacheControl, long lastModified,
                         String cacheStatus,
                         String serverTiming, String vary, int originStatus, File file, String disposition) {
    /** What an answer whose format the {@code Accept} header chose varies by. */
    public static final String VARY_ACCEPT = "accept";

    /** Where a reply's bytes also lie on disk. */
    @FunctionalInterface
    public interface File {
        /** For replies that have no file. */
        File NONE = Optional::empty;

        /**
         * An open file holding exactly the body's bytes, retained for the caller (who releases
         * it once sent), or empty: then the body is sent from memory. Non-blocking.
         */
        Optional<SharedFile> acquire();
    }

    public ImageReply {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(cacheControl, "cacheControl");
        Objects.requireNonNull(cacheStatus, "cacheStatus");
        Objects.requireNonNull(serverTiming, "serverTiming");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(vary, "vary");
    }

    /** This reply with another {@code Cache-Control} (a dialect's own, such as the Hive imagehoster's). */
    public ImageReply withCacheControl(String value) {
        return new ImageReply(body, contentType, etag, value, lastModified, cacheStatus, serverTiming, vary, originStatus,
                file, disposition);
    }
}
