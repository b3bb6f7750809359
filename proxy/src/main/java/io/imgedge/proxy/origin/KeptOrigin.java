package io.imgedge.proxy.origin;

import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.url.Source;
import io.imgedge.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;

/**
 * Web originals the Hive imagehoster keeps in its proxy store: read from there first, so an image
 * whose upstream is gone is still served; fetched from the web when not there (or when the store
 * fails), and then kept there when {@code keep} says so, as the imagehoster keeps what it fetched.
 * Keeping happens after the answer, on a virtual thread; a failure to keep is logged. Thread-safe.
 */
final class KeptOrigin {
    private static final Logger LOG = LoggerFactory.getLogger(KeptOrigin.class);

    private final BlobOrigin reader;
    private final BlobStore store;
    private final HttpOrigin http;
    private final Predicate<byte[]> keep;
    private final ExecutorService virtualThreads;

    KeptOrigin(BlobOrigin reader, BlobStore store, HttpOrigin http, Predicate<byte[]> keep, ExecutorService virtualThreads) {
        this.reader = reader;
        this.store = store;
        this.http = http;
        this.keep = keep;
        this.virtualThreads = virtualThreads;
    }

    CompletableFuture<Original> fetch(Source.Archived source) {
        return reader.fetch(source.key()).exceptionallyCompose(failure -> {
            Throwable cause = ErrorMapper.unwrap(failure);
            boolean missing = cause instanceof HttpError error && error.status() == 404;
            if (!missing) {
                LOG.warn("proxy store {} failed for {}: {}; fetching it", store.name(), source.key(), cause.toString());
            }
            return http.fetch(source.remote().uri()).thenApply(original -> {
                if (missing && keep.test(original.bytes())) {
                    virtualThreads.execute(() -> put(source.key(), original));
                }
                return original;
            });
        });
    }

    private void put(String key, Original original) {
        try {
            store.put(key, original.bytes(), original.contentType());
        } catch (RuntimeException e) {
            LOG.warn("could not keep {} in proxy store {}: {}", key, store.name(), e.toString());
        }
    }
}
