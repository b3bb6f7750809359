package io.imgedge.proxy.cache;

import java.util.Objects;

/**
 * An immutable cache entry: a processed result or a fetched original. The array is never
 * modified once built, so a response may still be writing it after the entry is evicted.
 *
 * @param createdAt    epoch millis when the bytes were produced
 * @param expiresAt    epoch millis when they stop being fresh; {@link Long#MAX_VALUE} = never
 * @param sourceKey    the original's {@link CacheKey#source} key, for purging every variant
 */
public record CachedImage(byte[] bytes, String contentType, String etag, long createdAt, long expiresAt,
                          String sourceKey) {
    public static final long NEVER = Long.MAX_VALUE;

    public CachedImage {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(sourceKey, "sourceKey");
    }

    /** Bytes this entry costs in memory: payload plus a fixed allowance for the rest. */
    public int weight() {
        return bytes.length + 256;
    }
}
