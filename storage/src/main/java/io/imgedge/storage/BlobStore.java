package io.imgedge.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

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

    /**
     * Part of the object under {@code key}: {@code length} bytes from {@code offset}, fewer at its
     * end and none from or past it; the blob's info gives the whole object's size. Empty when there
     * is no object.
     *
     * @throws IllegalArgumentException when {@code offset} is negative or {@code length} not positive
     * @throws StoreException           when the store cannot answer
     */
    Optional<Blob> get(String key, long offset, int length);

    /** Size and version of the object under {@code key}, or empty when there is none. */
    Optional<BlobInfo> stat(String key);

    /** Stores {@code bytes} under {@code key}, replacing any object there; "" = a type not known. */
    void put(String key, byte[] bytes, String contentType);

    /** Removes the object; returns whether there was one (false where the store cannot tell). */
    boolean delete(String key);

    /**
     * The keys that start with {@code prefix} ({@code ""} for all), in ascending order, read lazily
     * as the stream is consumed. Close the stream.
     *
     * @throws StoreException when the store cannot answer (also while the stream is read)
     */
    Stream<String> list(String prefix);

    /**
     * Checks that the store answers and can be written to (health checks).
     *
     * @throws StoreException naming what is wrong
     */
    void check();

    /** A URL that serves the object directly for {@code ttl}, where the store can make one. */
    default Optional<URI> presign(String key, Duration ttl) {
        return Optional.empty();
    }

    /** A short name for logs and metrics, such as {@code file:/srv/store} or {@code s3:bucket}. */
    String name();
}
