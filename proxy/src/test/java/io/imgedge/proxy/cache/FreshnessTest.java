package io.imgedge.proxy.cache;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FreshnessTest {
    static CachedImage expiringAt(long millis) {
        return new CachedImage(ByteBuffer.allocate(1), "image/png", "\"e\"", 0, millis, "s");
    }

    @Test
    void states() {
        Duration window = Duration.ofMinutes(10);
        assertEquals(Freshness.State.FRESH, Freshness.of(expiringAt(1000), 999, window));
        assertEquals(Freshness.State.STALE, Freshness.of(expiringAt(1000), 1000, window));
        assertEquals(Freshness.State.STALE, Freshness.of(expiringAt(1000), 1000 + window.toMillis(), window));
        assertEquals(Freshness.State.EXPIRED, Freshness.of(expiringAt(1000), 1001 + window.toMillis(), window));
        assertEquals(Freshness.State.EXPIRED, Freshness.of(expiringAt(1000), 1001, Duration.ZERO));
        assertEquals(Freshness.State.FRESH, Freshness.of(expiringAt(CachedImage.NEVER), Long.MAX_VALUE - 1, window));
        assertEquals(CachedImage.NEVER, Freshness.expiry(5, Duration.ZERO));
        assertEquals(65_005, Freshness.expiry(5, Duration.ofSeconds(65)));
    }

    @Test
    void remoteTtlFromCacheControl() {
        Duration fallback = Duration.ofHours(1);
        Duration min = Duration.ofMinutes(1);
        Duration max = Duration.ofDays(30);
        assertEquals(fallback, Freshness.remoteTtl(null, fallback, min, max));
        assertEquals(fallback, Freshness.remoteTtl("public", fallback, min, max));
        assertEquals(Duration.ofSeconds(600), Freshness.remoteTtl("public, max-age=600", fallback, min, max));
        assertEquals(Duration.ofSeconds(900), Freshness.remoteTtl("max-age=600, s-maxage=900", fallback, min, max));
        assertEquals(min, Freshness.remoteTtl("max-age=5", fallback, min, max));
        assertEquals(max, Freshness.remoteTtl("max-age=999999999", fallback, min, max));
        assertEquals(min, Freshness.remoteTtl("no-store", fallback, min, max));
        assertEquals(min, Freshness.remoteTtl("private, max-age=600", fallback, min, max));
        assertEquals(fallback, Freshness.remoteTtl("max-age=soon", fallback, min, max));
    }
}
