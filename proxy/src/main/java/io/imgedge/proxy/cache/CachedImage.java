package io.imgedge.proxy.cache;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An immutable cache entry: a processed result or a fetched original. The payload is a
 * read-only buffer (fresh transform results in direct memory, so responses are written without
 * a copy; entries read back from disk on the heap, until a direct {@link MemoryTier} moves
 * them); a response may still be writing it after
 * the entry is evicted, and the memory is released by the garbage collector once nothing refers
 * to it. Use {@code payload().duplicate()} to read.
 *
 * @param createdAt    epoch millis when the bytes were produced
 * @param expiresAt    epoch millis when they stop being fresh; {@link Long#MAX_VALUE} = never
 * @param sourceKey    the original's {@link CacheKey#source} key, for purging every variant
 * @param origin       what the original's origin said of it, which responses may pass on
 */
public record CachedImage(ByteBuffer payload, String contentType, String etag, long createdAt, long expiresAt,
                          String sourceKey, OriginHeaders origin) {
    public static final long NEVER = Long.MAX_VALUE;

    public CachedImage {
        payload = payload.asReadOnlyBuffer();
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(sourceKey, "sourceKey");
        Objects.requireNonNull(origin, "origin");
    }

    /** An entry whose origin said nothing to pass on. */
    public CachedImage(ByteBuffer payload, String contentType, String etag, long createdAt, long expiresAt, String sourceKey) {
        this(payload, contentType, etag, createdAt, expiresAt, sourceKey, OriginHeaders.NONE);
    }

    /** Copies {@code bytes} into a new direct buffer: for results, which responses write. */
    public static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    /** This entry with its payload in direct memory: itself when it is there already, else a copy. */
    public CachedImage inDirectMemory() {
        if (payload.isDirect()) {
            return this;
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(payload.remaining()).put(payload.duplicate()).flip();
        return new CachedImage(copy, contentType, etag, createdAt, expiresAt, sourceKey, origin);
    }

    public int size() {
        return payload.remaining();
    }

    /** Bytes this entry costs in memory: payload plus a fixed allowance for the rest. */
    public int weight() {
        return payload.remaining() + 256 + origin.cacheControl().length();
    }
}
