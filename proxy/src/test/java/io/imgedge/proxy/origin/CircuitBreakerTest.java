package io.imgedge.proxy.origin;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
