package io.imgedge.storage;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Holds a background job to a byte rate: {@link #account} blocks the caller until the bytes
 * counted so far fit the rate since the pacer was made. Not thread-safe (one job, one thread).
 */
public final class Pacer {
    private final long bytesPerSecond;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final long start;
    private long bytes;

    /** How the pacer waits; tests pass one that advances their fake clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    public Pacer(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.start = nanoTime.getAsLong();
    }

    /** A pacer on the system clock. */
    public static Pacer of(long bytesPerSecond) {
        return new Pacer(bytesPerSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    /** Counts {@code n} bytes and waits until they are within the rate. */
    public void account(long n) {
        bytes += n;
        long due = start + (long) (bytes * 1e9 / bytesPerSecond);
        long wait = due - nanoTime.getAsLong();
        if (wait > 0) {
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while pacing", e);
            }
        }
    }
}
