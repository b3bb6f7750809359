package io.imgedge.proxy.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Limits kept in this node's memory. Buckets and counters of keys idle for ten minutes are
 * forgotten (a full bucket and an empty counter look the same as new ones). Completes at once.
 */
public final class LocalLimitStore implements LimitStore {
    private static final Duration IDLE = Duration.ofMinutes(10);

    private final LongSupplier nanoTime;
    private final Cache<String, TokenBucket> buckets = Caffeine.newBuilder().expireAfterAccess(IDLE).build();
    private final Cache<String, AtomicInteger> slots = Caffeine.newBuilder().expireAfterAccess(IDLE).build();

    public LocalLimitStore(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public CompletableFuture<Long> take(String key, double rate, int burst) {
        long waitNanos = buckets.get(key, _ -> new TokenBucket(rate, burst, nanoTime)).tryTake();
        return CompletableFuture.completedFuture(waitNanos == 0 ? 0 : Math.max(1, waitNanos / 1_000_000));
    }

    @Override
    public CompletableFuture<Optional<Slot>> acquire(String key, int max, Duration ttl) {
        AtomicInteger used = slots.get(key, _ -> new AtomicInteger());
        if (used.incrementAndGet() > max) {
            used.decrementAndGet();
            return CompletableFuture.completedFuture(Optional.empty());
        }
        AtomicBoolean released = new AtomicBoolean();
        Slot slot = () -> {
            if (released.compareAndSet(false, true)) {
                used.decrementAndGet();
            }
        };
        return CompletableFuture.completedFuture(Optional.of(slot));
    }

    @Override
    public void close() {
        buckets.invalidateAll();
        slots.invalidateAll();
    }
}
