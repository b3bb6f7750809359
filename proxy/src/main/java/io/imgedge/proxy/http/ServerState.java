package io.imgedge.proxy.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** Draining flag and in-flight request count, shared by the listeners. Thread-safe. */
public final class ServerState {
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Object lock = new Object();
    private int inFlight;

    public boolean draining() {
        return draining.get();
    }

    public void drain() {
        draining.set(true);
    }

    void begin() {
        synchronized (lock) {
            inFlight++;
        }
    }

    void end() {
        synchronized (lock) {
            if (--inFlight == 0) {
                lock.notifyAll();
            }
        }
    }

    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    /** Waits until no request is in flight or {@code timeout} passes; returns what is left. */
    public int awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            long left;
            while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return inFlight;
        }
    }
}
