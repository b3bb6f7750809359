package io.imgedge.proxy.origin;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * One origin's circuit: closed while it works; {@code failures} failures within {@code window}
 * open it for {@code cooldown}, during which nothing is sent; then one trial request is let
 * through (half-open), whose success closes it and whose failure opens it again. Thread-safe;
 * time from the given nano clock.
 */
final class CircuitBreaker {
    enum State {
        CLOSED, OPEN, HALF_OPEN
    }

    private final int failures;
    private final long windowNanos;
    private final long cooldownNanos;
    private final LongSupplier nanoTime;
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private State state = State.CLOSED;
    private long openedAt;

    CircuitBreaker(int failures, Duration window, Duration cooldown, LongSupplier nanoTime) {
        this.failures = failures;
        this.windowNanos = window.toNanos();
        this.cooldownNanos = cooldown.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Whether a request may go to the origin now; when open, {@link #retryAfterSeconds()} says for how long not. */
    synchronized boolean tryAcquire() {
        return switch (state) {
            case CLOSED -> true;
            case HALF_OPEN -> false;
            case OPEN -> {
                if (nanoTime.getAsLong() - openedAt >= cooldownNanos) {
                    state = State.HALF_OPEN;
                    yield true;
                }
                yield false;
            }
        };
    }

    synchronized long retryAfterSeconds() {
        long left = state == State.OPEN ? cooldownNanos - (nanoTime.getAsLong() - openedAt) : cooldownNanos;
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    synchronized void onSuccess() {
        state = State.CLOSED;
        recent.clear();
    }

    synchronized void onFailure() {
        long now = nanoTime.getAsLong();
        recent.addLast(now);
        while (!recent.isEmpty() && now - recent.peekFirst() > windowNanos) {
            recent.removeFirst();
        }
        if (state == State.HALF_OPEN || recent.size() >= failures) {
            state = State.OPEN;
            openedAt = now;
            recent.clear();
        }
    }

    synchronized State state() {
        return state;
    }
}
