package io.imgedge.proxy.origin;

import io.imgedge.proxy.cache.OriginHeaders;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.storage.BlobStore;
import io.imgedge.storage.StoreException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Originals from a {@link BlobStore} (local directory, S3 bucket). The store's blocking calls run
 * on virtual threads, at most {@code permits} at once across all blob origins sharing it.
 */
final class BlobOrigin {
    private final BlobStore store;
    private final long maxBytes;
    private final ExecutorService virtualThreads;
    private final Semaphore permits;
    private final boolean ours;

    /** @param ours whether this is imgedge's own store: its failures are 503 (we are down), not 502 */
    BlobOrigin(BlobStore store, long maxBytes, ExecutorService virtualThreads, Semaphore permits, boolean ours) {
        this.store = store;
        this.ours = ours;
        this.maxBytes = maxBytes;
        this.virtualThreads = virtualThreads;
        this.permits = permits;
    }

    CompletableFuture<Original> fetch(String key) {
        return CompletableFuture.supplyAsync(() -> {
            permits.acquireUninterruptibly();
            try {
                return store.get(key, maxBytes)
                        .map(blob -> new Original(blob.bytes(), "", blob.info().lastModified() == null ? OriginHeaders.NONE
                                : OriginHeaders.modified(blob.info().lastModified().toEpochMilli())))
                        .orElseThrow(() -> HttpError.notFound("source not found"));
            } catch (StoreException e) {
                throw ours ? HttpError.unavailable("image store unavailable", e) : e;
            } finally {
                permits.release();
            }
        }, virtualThreads);
    }
}
