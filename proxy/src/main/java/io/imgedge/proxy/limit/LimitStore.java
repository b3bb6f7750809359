package io.imgedge.proxy.limit;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The counters behind the throttles: token buckets and concurrency slots, on this node or
 * shared by the cluster. Asynchronous by type, so a check never blocks an event loop; a local
 * store completes at once. Thread-safe.
 */
public interface LimitStore extends AutoCloseable {
    /**
     * Takes one token from the bucket {@code key} ({@code rate} per second, at most {@code burst}).
     *
     * @return 0 when taken, else the milliseconds until a token will be there
     */
    CompletableFuture<Long> take(String key, double rate, int burst);

    /**
     * Takes one of {@code max} slots of {@code key}. A slot not released within {@code ttl} frees
     * itself, so a node that dies cannot hold slots forever.
     *
     * @return the slot, or empty when all are taken
     */
    CompletableFuture<Optional<Slot>> acquire(String key, int max, Duration ttl);

    /** A taken slot; releasing twice is harmless. */
    interface Slot {
        void release();
    }

    @Override
    void close();
}
