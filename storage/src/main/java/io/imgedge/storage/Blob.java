package io.imgedge.storage;

import java.util.Objects;

/** An object's bytes (owned by this record: do not modify) and what the store says of it. */
public record Blob(byte[] bytes, BlobInfo info) {
    public Blob {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(info, "info");
    }
}
