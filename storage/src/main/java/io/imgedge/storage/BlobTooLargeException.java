package io.imgedge.storage;

/** The object exists but is larger than the caller's limit; its body was not (fully) read. */
public final class BlobTooLargeException extends RuntimeException {
    private final long limit;

    public BlobTooLargeException(String key, long limit) {
        super("object " + key + " is larger than " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
