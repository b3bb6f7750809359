package io.imgedge.proxy.origin;

import java.util.Objects;

/**
 * A fetched original. The array is owned by this record: do not modify it.
 *
 * @param contentType what the origin said, or empty
 */
public record Original(byte[] bytes, String contentType) {
    public Original {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(contentType, "contentType");
    }
}
