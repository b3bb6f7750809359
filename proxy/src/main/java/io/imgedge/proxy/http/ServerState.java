package io.imgedge.proxy.http;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Draining flag and in-flight request count, shared by the listeners. Thread-safe. */
public final class ServerState {
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();

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
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }
}
