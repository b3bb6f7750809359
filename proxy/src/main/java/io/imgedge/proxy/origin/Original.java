package io.imgedge.proxy.origin;

import java.util.Objects;

/**
 * A fetched original. The array is owned by this record: do not modify it.
 *
 * @param contentType  what the origin said, or empty
 * @param cacheControl the origin's Cache-Control header, or empty
 */
public record Original(byte[] bytes, String contentType, String cacheControl) {
    public Original {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(cacheControl, "cacheControl");
    }
}
