package io.imgedge.proxy.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Draining flag and in-flight request count, shared by the listeners. Thread-safe, lock-free per request. */
public final class ServerState {
    /** Bound on one wait in {@link #awaitIdle}, covering a wake-up that races the last request. */
    private static final long RECHECK_MILLIS = 50;

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object idle = new Object();

    public boolean draining() {
        return draining.get();
    }

    public void drain() {
        draining.set(true);
    }

    void begin() {
        inFlight.incrementAndGet();
    }

    void end() {
        if (inFlight.decrementAndGet() == 0 && draining.get()) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Waits until no request is in flight or {@code timeout} passes; returns what is left. */
    public int awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            long left;
            while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                idle.wait(Math.clamp(left / 1_000_000, 1, RECHECK_MILLIS));
            }
        }
        return inFlight.get();
    }
}
