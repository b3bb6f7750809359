package io.imgedge.storage;

import java.util.Optional;

/**
 * A flat key → bytes store for originals. Implementations are thread-safe and blocking: callers
 * run them off event loops (virtual threads). A {@link #put} is atomic: readers see the old
 * object, no object, or the whole new one, never a part.
 *
 * <p>Keys are {@code /}-separated relative paths checked by {@link BlobKey}.
 */
public interface BlobStore {
    /**
     * The object under {@code key}, or empty when there is none.
     *
     * @throws BlobTooLargeException when the object is larger than {@code maxBytes} (checked
     *                               before the body is read where the store says the size)
     * @throws StoreException        when the store cannot answer
     */
    Optional<Blob> get(String key, long maxBytes);

    /** Size and version of the object under {@code key}, or empty when there is none. */
    Optional<BlobInfo> stat(String key);

    /** Stores {@code bytes} under {@code key}, replacing any object there. */
    void put(String key, byte[] bytes, String contentType);

    /** Removes the object; returns whether there was one (false where the store cannot tell). */
    boolean delete(String key);

    /** A short name for logs and metrics, such as {@code file:/srv/store} or {@code s3:bucket}. */
    String name();
}
