package io.imgedge.vips;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerPoolTest {
    @Test
    void fullPoolFailsAtOnceAndRecovers() throws Exception {
        try (WorkerPool pool = new WorkerPool("test", 1, 2)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> running = pool.submit(() -> {
                started.countDown();
                release.await();
                return "first";
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            CompletableFuture<String> queued1 = pool.submit(() -> "second");
            CompletableFuture<String> queued2 = pool.submit(() -> "third");
            assertEquals(1, pool.inFlight());
            assertEquals(2, pool.queueDepth());

            CompletableFuture<String> rejected = pool.submit(() -> "never");
            assertTrue(rejected.isCompletedExceptionally(), "rejection must be immediate");
            ExecutionException e = assertThrows(ExecutionException.class, rejected::get);
            assertInstanceOf(WorkerPoolFullException.class, e.getCause());

            release.countDown();
            assertEquals("first", running.get(10, TimeUnit.SECONDS));
            assertEquals("second", queued1.get(10, TimeUnit.SECONDS));
            assertEquals("third", queued2.get(10, TimeUnit.SECONDS));
            assertEquals("again", pool.submit(() -> "again").get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void taskFailureReachesTheFuture() {
        try (WorkerPool pool = new WorkerPool("test", 1, 0)) {
            CompletableFuture<Object> failed = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }
}
