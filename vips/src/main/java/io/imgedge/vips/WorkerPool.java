package io.imgedge.vips;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of platform threads with a bounded queue, for blocking native work (libvips).
 * At most {@code threads + queueCapacity} tasks are admitted at once; past that the returned
 * future fails at once with {@link WorkerPoolFullException}, so callers never wait for a place.
 * Thread-safe.
 */
public final class WorkerPool implements AutoCloseable {
    private final ThreadPoolExecutor executor;
    private final Semaphore admitted;
    private final int capacity;
    private final AtomicInteger running = new AtomicInteger();

    public WorkerPool(String name, int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 0) {
            throw new IllegalArgumentException("threads must be >= 1 and queue >= 0");
        }
        capacity = threads + queueCapacity;
        admitted = new Semaphore(capacity);
        AtomicInteger counter = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                task -> Thread.ofPlatform().daemon().name(name + "-" + counter.incrementAndGet()).unstarted(task));
    }

    /** Runs {@code task} on a worker; the future completes on that worker thread. */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!admitted.tryAcquire()) {
            result.completeExceptionally(new WorkerPoolFullException(
                    "all " + executor.getCorePoolSize() + " workers busy and queue full"));
            return result;
        }
        executor.execute(() -> {
            running.incrementAndGet();
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                running.decrementAndGet();
                admitted.release();
            }
        });
        return result;
    }

    /** Tasks admitted and waiting for a worker. */
    public int queueDepth() {
        return executor.getQueue().size();
    }

    /** Tasks running now. */
    public int inFlight() {
        return running.get();
    }

    /** Workers plus queue places: the most tasks admitted at once. */
    public int capacity() {
        return capacity;
    }

    /** Stops taking tasks and waits up to {@code timeoutMillis} for admitted ones. */
    public void close(long timeoutMillis) throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        try {
            close(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
