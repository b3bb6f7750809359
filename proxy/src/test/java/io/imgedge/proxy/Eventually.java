package io.imgedge.proxy;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waits, bounded, for what another process or thread makes true without telling anyone: a
 * redis-server coming back, a connection closed by the kernel, a counter a background task
 * bumps. Where the code under test offers a latch or a future, a test waits on that instead.
 */
public final class Eventually {
    private static final long LIMIT = TimeUnit.SECONDS.toNanos(15);

    private Eventually() {
    }

    /** Fails the test with {@code what} unless {@code condition} holds within 15 s. */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, () -> what);
    }

    /** Fails the test with {@code what} (asked once it failed) unless {@code condition} holds within 15 s. */
    public static void until(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out waiting: " + what.get());
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
