package io.imgedge.vips;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** A task still queued when its deadline passes is not run: its requester has stopped waiting. */
    @Test
    void queuedTasksPastTheirDeadlineAreNotRun() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (WorkerPool pool = new WorkerPool("test", 1, 4, Duration.ofHours(1), clock::get)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<String> running = pool.submit(() -> {
                started.countDown();
                release.await();
                return "ran";
            }, 100, null);
            assertTrue(started.await(10, TimeUnit.SECONDS));
            AtomicInteger ran = new AtomicInteger();
            CompletableFuture<String> late = pool.submit(() -> {
                ran.incrementAndGet();
                return "late";
            }, 100, null);
            CompletableFuture<String> inTime = pool.submit(() -> "in time", 1_000, null);
            clock.set(500);
            release.countDown();
            assertEquals("ran", running.get(10, TimeUnit.SECONDS), "a running task always finishes");
            ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(10, TimeUnit.SECONDS));
            assertInstanceOf(WorkerPoolFullException.class, e.getCause());
            assertEquals(0, ran.get());
            assertEquals("in time", inTime.get(10, TimeUnit.SECONDS));
            assertEquals(1, pool.expired());
        }
    }

    /** A task nobody waits for any more leaves the queue at once, and its place is free again. */
    @Test
    void abandonedTasksLeaveTheQueue() throws Exception {
        try (WorkerPool pool = new WorkerPool("test", 1, 1)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Void> abandonRunning = new CompletableFuture<>();
            CompletableFuture<String> running = pool.submit(() -> {
                started.countDown();
                release.await();
                return "kept";
            }, Long.MAX_VALUE, abandonRunning);
            assertTrue(started.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> abandon = new CompletableFuture<>();
            AtomicInteger ran = new AtomicInteger();
            CompletableFuture<String> queued = pool.submit(() -> {
                ran.incrementAndGet();
                return "never";
            }, Long.MAX_VALUE, abandon);
            assertTrue(pool.submit(() -> "full").isCompletedExceptionally(), "one worker, one queue place");
            abandon.complete(null);
            assertTrue(queued.isCancelled() || queued.isCompletedExceptionally());
            assertEquals(0, pool.queueDepth());
            CompletableFuture<String> next = pool.submit(() -> "next");
            assertFalse(next.isDone(), "the dropped task's place went to the next");
            abandonRunning.complete(null);
            release.countDown();
            assertEquals("kept", running.get(10, TimeUnit.SECONDS), "abandoning a running task changes nothing");
            assertEquals("next", next.get(10, TimeUnit.SECONDS));
            assertEquals(0, ran.get());
            assertEquals(1, pool.abandoned());
        }
    }

    /** Past the expected wait (tasks ahead times the recent run time), tasks are refused at once. */
    @Test
    void theQueueIsBoundedByTheExpectedWait() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (WorkerPool pool = new WorkerPool("test", 1, 100, Duration.ofNanos(2_500), clock::get)) {
            // teach the pool that a task takes 1000 ns
            for (int i = 0; i < 40; i++) {
                pool.submit(() -> clock.addAndGet(1_000)).get(10, TimeUnit.SECONDS);
            }
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            pool.submit(() -> {
                started.countDown();
                release.await();
                return null;
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<Object>> queued = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                queued.add(pool.submit(() -> null));
            }
            long refused = queued.stream().filter(CompletableFuture::isCompletedExceptionally).count();
            assertEquals(3, refused, "about 2.5 tasks' worth of wait is admitted, the rest refused at once");
            release.countDown();
        }
    }
}
