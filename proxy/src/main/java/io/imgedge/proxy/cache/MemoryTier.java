package io.imgedge.proxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The memory tier: entries bounded by their byte weight, admitted and evicted by Caffeine's
 * W-TinyLFU policy (frequency-aware, so a scan of one-off keys cannot flush the hot set).
 * Thread-safe.
 */
public final class MemoryTier {
    private final Cache<String, CachedImage> cache;
    private final boolean direct;

    /** A tier whose payloads stay where they are (heap or direct). */
    public MemoryTier(long maxBytes, Executor maintenance) {
        this(maxBytes, maintenance, false);
    }

    /**
     * @param maintenance where Caffeine runs eviction work ({@code Runnable::run} in tests)
     * @param direct      whether hit payloads are moved into direct memory (results, which responses write)
     */
    public MemoryTier(long maxBytes, Executor maintenance, boolean direct) {
        this.direct = direct;
        cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String _, CachedImage entry) -> entry.weight())
                .executor(maintenance)
                .build();
    }

    public Optional<CachedImage> get(CacheKey key) {
        CachedImage entry = cache.getIfPresent(key.hex());
        if (entry != null && direct && !entry.payload().isDirect()) {
            CachedImage moved = entry.inDirectMemory();
            cache.asMap().replace(key.hex(), entry, moved);
            return Optional.of(moved);
        }
        return Optional.ofNullable(entry);
    }

    public void put(CacheKey key, CachedImage entry) {
        cache.put(key.hex(), entry);
    }

    public boolean remove(CacheKey key) {
        return cache.asMap().remove(key.hex()) != null;
    }

    /** Removes every entry made from the source with {@code sourceKey}; returns how many. */
    public int removeSource(String sourceKey) {
        int[] removed = {0};
        cache.asMap().entrySet().removeIf(e -> {
            boolean match = e.getValue().sourceKey().equals(sourceKey);
            removed[0] += match ? 1 : 0;
            return match;
        });
        return removed[0];
    }

    /** Bytes held now (by weight), after pending maintenance. */
    public long bytes() {
        cache.cleanUp();
        return cache.policy().eviction().orElseThrow().weightedSize().orElse(0L);
    }
}
