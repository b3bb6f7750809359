package io.imgedge.proxy.cache;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;

/** Pure freshness decisions for cache entries and origin TTLs. */
public final class Freshness {
    private Freshness() {
    }

    /** What to do with a cached entry at {@code now}. */
    public enum State {
        /** Serve it. */
        FRESH,
        /** Serve it marked {@code stale} and refresh it in the background. */
        STALE,
        /** Too old even to cover for a failing origin: treat as a miss. */
        EXPIRED
    }

    public static State of(CachedImage entry, long now, Duration staleIfError) {
        if (now < entry.expiresAt()) {
            return State.FRESH;
        }
        return now - entry.expiresAt() <= staleIfError.toMillis() ? State.STALE : State.EXPIRED;
    }

    /** As {@link #of(CachedImage, long, Duration)}, reading {@code clock} only for an entry that expires. */
    public static State of(CachedImage entry, InstantSource clock, Duration staleIfError) {
        return entry.expiresAt() == CachedImage.NEVER ? State.FRESH : of(entry, clock.millis(), staleIfError);
    }

    /**
     * How long a remote original stays fresh: the origin's {@code Cache-Control} max-age
     * ({@code s-maxage} first) clamped to {@code [min, max]}, {@code fallback} when it gives
     * none, {@code min} for {@code no-cache}/{@code no-store}/{@code private}. Zero is a life of
     * zero (not cached), not "never expires" as {@link #expiry} reads a configured zero.
     */
    public static Duration remoteTtl(String cacheControl, Duration fallback, Duration min, Duration max) {
        if (cacheControl == null || cacheControl.isBlank()) {
            return clamp(fallback, min, max);
        }
        Long maxAge = null;
        Long sharedMaxAge = null;
        for (String directive : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
            String d = directive.strip();
            if (d.equals("no-cache") || d.equals("no-store") || d.equals("private")) {
                return min;
            } else if (d.startsWith("s-maxage=")) {
                sharedMaxAge = seconds(d.substring("s-maxage=".length()));
            } else if (d.startsWith("max-age=")) {
                maxAge = seconds(d.substring("max-age=".length()));
            }
        }
        Long chosen = sharedMaxAge != null ? sharedMaxAge : maxAge;
        return clamp(chosen == null ? fallback : Duration.ofSeconds(chosen), min, max);
    }

    /** Epoch millis when something made at {@code now} with {@code ttl} expires; zero TTL = never. */
    public static long expiry(long now, Duration ttl) {
        return ttl.isZero() ? CachedImage.NEVER : now + ttl.toMillis();
    }

    private static Long seconds(String value) {
        try {
            return Math.max(0, Long.parseLong(value.replace("\"", "").strip()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Duration clamp(Duration ttl, Duration min, Duration max) {
        return ttl.compareTo(min) < 0 ? min : ttl.compareTo(max) > 0 ? max : ttl;
    }
}
