package io.imgedge.proxy.image;

import io.imgedge.proxy.cache.CachedImage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

class ServeDecisionTest {
    static CachedImage expiringAt(long millis) {
        return new CachedImage(ByteBuffer.allocate(1), "image/png", "\"e\"", 0, millis, "s");
    }

    static InstantSource at(long millis) {
        return InstantSource.fixed(Instant.ofEpochMilli(millis));
    }

    @Test
    void fromEntryClockAndWindow() {
        Duration window = Duration.ofMinutes(10);
        CachedImage entry = expiringAt(1000);
        assertSame(ServeDecision.MISS, ServeDecision.of(null, at(0), window));
        assertEquals(new ServeDecision.Fresh(entry), ServeDecision.of(entry, at(999), window));
        assertEquals(new ServeDecision.Revalidate(entry), ServeDecision.of(entry, at(1000), window));
        assertEquals(new ServeDecision.Revalidate(entry), ServeDecision.of(entry, at(1000 + window.toMillis()), window));
        assertEquals(new ServeDecision.Refetch(entry), ServeDecision.of(entry, at(1001 + window.toMillis()), window),
                "past the window: made again, the old copy kept for an origin that turns out down");
        assertEquals(new ServeDecision.Refetch(entry), ServeDecision.of(entry, at(1001), Duration.ZERO));
        assertInstanceOf(ServeDecision.Fresh.class, ServeDecision.of(expiringAt(CachedImage.NEVER), at(Long.MAX_VALUE - 1), window));
    }
}
