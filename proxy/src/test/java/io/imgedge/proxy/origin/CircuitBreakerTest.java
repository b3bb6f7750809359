package io.imgedge.proxy.origin;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void opensAfterFailuresInTheWindowAndTriesAgainAfterTheCooldown() {
        AtomicLong now = new AtomicLong();
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(10), Duration.ofSeconds(30), now::get);
        breaker.onFailure();
        breaker.onFailure();
        now.addAndGet(11 * SECOND);
        breaker.onFailure();
        assertTrue(breaker.tryAcquire(), "the first two failures fell out of the window");
        breaker.onFailure();
        breaker.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
        assertEquals(30, breaker.retryAfterSeconds());
        now.addAndGet(29 * SECOND);
        assertFalse(breaker.tryAcquire());
        assertEquals(1, breaker.retryAfterSeconds());
        now.addAndGet(SECOND);
        assertTrue(breaker.tryAcquire(), "one trial after the cooldown");
        assertFalse(breaker.tryAcquire(), "and only one");
        breaker.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state(), "a failed trial opens it again");
        now.addAndGet(30 * SECOND);
        assertTrue(breaker.tryAcquire());
        breaker.onSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void allowListMatchesByPartsNotText() {
        SourceAllowList list = SourceAllowList.parse(List.of("http://example.com/images", "https://cdn.example.org"));
        assertTrue(list.allows(URI.create("http://example.com/images/a.jpg")));
        assertTrue(list.allows(URI.create("http://EXAMPLE.com:80/images")));
        assertTrue(list.allows(URI.create("https://cdn.example.org/x/y.png")));
        assertFalse(list.allows(URI.create("http://example.com/imagesevil/a.jpg")), "path boundary");
        assertFalse(list.allows(URI.create("http://example.com@evil.test/images/a.jpg")), "user part naming the host");
        assertFalse(list.allows(URI.create("http://example.com.evil.test/images/a.jpg")), "host suffix");
        assertFalse(list.allows(URI.create("http://example.com:8080/images/a.jpg")), "other port");
        assertFalse(list.allows(URI.create("https://example.com/images/a.jpg")), "other scheme");
        assertFalse(list.allows(URI.create("http://cdn.example.org/a.png")), "other scheme for cdn");
        assertTrue(SourceAllowList.parse(List.of()).allows(URI.create("http://anything.test/")));
        assertThrows(IllegalArgumentException.class, () -> SourceAllowList.parse(List.of("ftp://x/")));
        assertThrows(IllegalArgumentException.class, () -> SourceAllowList.parse(List.of("http://u@x/")));
    }
}
