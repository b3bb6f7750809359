package io.imgedge.proxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.time.InstantSource;

/**
 * When keys and sources were last purged, so that work which started before a purge does not
 * put its (now purged) result back. Remembered for {@code horizon} (longer than any request).
 * Thread-safe.
 */
public final class PurgeLog {
    private final Cache<String, Long> purgedAt;
    private final InstantSource clock;

    public PurgeLog(Duration horizon, InstantSource clock) {
        this.clock = clock;
        this.purgedAt = Caffeine.newBuilder().expireAfterWrite(horizon).ticker(() -> clock.millis() * 1_000_000L)
                .executor(Runnable::run).build();
    }

    public void purged(String key) {
        purgedAt.put(key, clock.millis());
    }

    /** Whether {@code key} or {@code sourceKey} was purged at or after {@code startedAt} (epoch millis). */
    public boolean purgedSince(String key, String sourceKey, long startedAt) {
        Long k = purgedAt.getIfPresent(key);
        Long s = purgedAt.getIfPresent(sourceKey);
        return (k != null && k >= startedAt) || (s != null && s >= startedAt);
    }
}
