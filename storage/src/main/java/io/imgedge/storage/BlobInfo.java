package io.imgedge.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * @param size         bytes
 * @param lastModified when the store last wrote the object
 * @param version      an opaque token that changes whenever the content does (S3 ETag, file mtime+size)
 */
public record BlobInfo(long size, Instant lastModified, String version) {
    public BlobInfo {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(version, "version");
    }
}
