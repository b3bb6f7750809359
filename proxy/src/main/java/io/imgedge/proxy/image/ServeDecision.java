package io.imgedge.proxy.image;

import io.imgedge.proxy.cache.CachedImage;
import io.imgedge.proxy.cache.Freshness;

import java.time.Duration;
import java.time.InstantSource;

/**
 * What to do with what the result cache holds for a request, decided purely from the entry, the
 * clock and the stale window (OkHttp's CacheStrategy): serve it, serve it stale while it is made
 * again, make it again but let it answer if the origin turns out to be down, or make it.
 */
sealed interface ServeDecision {
    /** Fresh: served as it is. */
    record Fresh(CachedImage entry) implements ServeDecision {
    }

    /** Expired within the stale window: served marked {@code stale} while one refresh runs. */
    record Revalidate(CachedImage entry) implements ServeDecision {
    }

    /** Expired past the window: made again; the old copy answers only while the origin's circuit is open. */
    record Refetch(CachedImage fallback) implements ServeDecision {
    }

    /** Nothing cached: made. */
    record Miss() implements ServeDecision {
    }

    ServeDecision MISS = new Miss();

    /** @param entry the cached result, or null when there is none */
    static ServeDecision of(CachedImage entry, InstantSource clock, Duration staleWindow) {
        if (entry == null) {
            return MISS;
        }
        return switch (Freshness.of(entry, clock, staleWindow)) {
            case FRESH -> new Fresh(entry);
            case STALE -> new Revalidate(entry);
            case EXPIRED -> new Refetch(entry);
        };
    }
}
