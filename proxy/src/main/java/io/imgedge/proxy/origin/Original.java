package io.imgedge.proxy.origin;

import io.imgedge.proxy.cache.OriginHeaders;

import java.util.Objects;

/**
 * A fetched original. The array is owned by this record: do not modify it.
 *
 * @param contentType what the origin said, or empty
 * @param origin      the origin's Last-Modified, Cache-Control and Expires
 */
public record Original(byte[] bytes, String contentType, OriginHeaders origin) {
    public Original {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(origin, "origin");
    }
}
