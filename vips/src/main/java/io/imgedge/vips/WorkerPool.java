package io.imgedge.vips;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A fixed pool of platform threads with a bounded queue, for blocking native work (libvips),
 * built to keep its goodput under overload:
 * <ul>
 *   <li>at most {@code threads + queueCapacity} tasks are admitted at once, and none whose
 *   expected wait for a worker (tasks ahead of it times the recent run time, over the threads)
 *   is over {@code maxWait}: past either the future fails at once with
 *   {@link WorkerPoolFullException}, so callers never wait for a place;</li>
 *   <li>a queued task whose deadline has passed when a worker reaches it is not run (its future
 *   fails with {@link WorkerPoolFullException}: whoever asked has stopped waiting);</li>
 *   <li>a queued task is dropped as soon as its {@code abandoned} stage completes (nobody waits
 *   for it any more; its future is cancelled); once running, a task always finishes.</li>
 * </ul>
 * Time comes from the given clock. Thread-safe.
 */
public final class WorkerPool implements AutoCloseable {
    /** A task's run time weighs this much in the moving average of run times. */
    private static final double WEIGHT = 0.125;
    /** The deadline of a task that has none. */
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Put on the queue once per worker at close: the worker that takes it stops. */
    private static final Job<Void> STOP = new Job<>(() -> null, NO_DEADLINE, new CompletableFuture<>());

    private final int threads;
    private final int capacity;
    private final long maxWaitNanos;
    private final LongSupplier nanoTime;
    private final Semaphore admitted;
    private final LinkedBlockingDeque<Job<?>> queue = new LinkedBlockingDeque<>();
    private final Thread[] workers;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private volatile double averageNanos;
    private volatile boolean closed;

    /** A pool without a wait bound, on the system clock. */
    public WorkerPool(String name, int threads, int queueCapacity) {
        this(name, threads, queueCapacity, Duration.ofNanos(Long.MAX_VALUE), System::nanoTime);
    }

    /** @param maxWait the longest a task may be expected to wait for a worker to be admitted */
    public WorkerPool(String name, int threads, int queueCapacity, Duration maxWait, LongSupplier nanoTime) {
        if (threads < 1 || queueCapacity < 0) {
            throw new IllegalArgumentException("threads must be >= 1 and queue >= 0");
        }
        this.threads = threads;
        this.capacity = threads + queueCapacity;
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoTime = nanoTime;
        this.admitted = new Semaphore(capacity);
        this.workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = Thread.ofPlatform().daemon().name(name + "-" + (i + 1)).start(this::work);
        }
    }

    /** Runs {@code task} on a worker, without a deadline; the future completes on that worker thread. */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return submit(task, NO_DEADLINE, null);
    }

    /**
     * Runs {@code task} on a worker unless it is still queued when {@code deadlineNanos} (on this
     * pool's clock) passes or {@code abandoned} completes. The future completes on the worker
     * thread, or at once when the task is refused or dropped.
     *
     * @param abandoned completes when nobody waits for the result any more; null = never
     */
    public <T> CompletableFuture<T> submit(Callable<T> task, long deadlineNanos, CompletionStage<?> abandoned) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (closed || !admitted.tryAcquire()) {
            result.completeExceptionally(new WorkerPoolFullException(
                    "all " + threads + " workers busy and queue full"));
            return result;
        }
        long wait = expectedWaitNanos(queue.size() + 1);
        if (wait > maxWaitNanos) {
            admitted.release();
            result.completeExceptionally(new WorkerPoolFullException("all " + threads + " workers busy for about "
                    + TimeUnit.NANOSECONDS.toMillis(wait) + " ms"));
            return result;
        }
        Job<T> job = new Job<>(task, deadlineNanos, result);
        queue.add(job);
        if (abandoned != null) {
            abandoned.thenRun(() -> {
                if (job.drop()) {
                    queue.remove(job);
                    admitted.release();
                    this.abandoned.incrementAndGet();
                    result.completeExceptionally(new CancellationException("nobody waits for this task"));
                }
            });
        }
        return result;
    }

    /** How long a task behind {@code ahead} others (itself included) is likely to wait for a worker. */
    private long expectedWaitNanos(int ahead) {
        int busy = Math.max(0, running.get() + ahead - threads);
        return (long) (busy * averageNanos / threads);
    }

    private void work() {
        while (true) {
            Job<?> job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == STOP) {
                return;
            }
            if (!job.claim()) {
                continue; // dropped while queued: its permit is back already
            }
            try {
                if (job.deadlineNanos != NO_DEADLINE && nanoTime.getAsLong() - job.deadlineNanos > 0) {
                    expired.incrementAndGet();
                    job.result.completeExceptionally(new WorkerPoolFullException(
                            "waited for a worker past its deadline"));
                } else {
                    running.incrementAndGet();
                    long start = nanoTime.getAsLong();
                    try {
                        job.run();
                    } finally {
                        running.decrementAndGet();
                        double took = nanoTime.getAsLong() - start;
                        averageNanos += (took - averageNanos) * WEIGHT;
                    }
                }
            } finally {
                admitted.release();
            }
        }
    }

    /** Tasks admitted and waiting for a worker. */
    public int queueDepth() {
        return queue.size();
    }

    /** Tasks running now. */
    public int inFlight() {
        return running.get();
    }

    /** Workers plus queue places: the most tasks admitted at once. */
    public int capacity() {
        return capacity;
    }

    /** Queued tasks not run because their deadline had passed when a worker reached them. */
    public long expired() {
        return expired.get();
    }

    /** Queued tasks dropped because nobody waited for them any more. */
    public long abandoned() {
        return abandoned.get();
    }

    /** Stops taking tasks and waits up to {@code timeoutMillis} for admitted ones, then interrupts the workers. */
    public void close(long timeoutMillis) throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < threads; i++) {
            queue.add(STOP);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Thread worker : workers) {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            worker.interrupt();
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

    /** A queued task: claimed by one worker, or dropped, never both. */
    private static final class Job<T> {
        private static final int QUEUED = 0;
        private static final int TAKEN = 1;
        private final Callable<T> task;
        private final long deadlineNanos;
        private final CompletableFuture<T> result;
        private final AtomicInteger state = new AtomicInteger(QUEUED);

        Job(Callable<T> task, long deadlineNanos, CompletableFuture<T> result) {
            this.task = task;
            this.deadlineNanos = deadlineNanos;
            this.result = result;
        }

        boolean claim() {
            return state.compareAndSet(QUEUED, TAKEN);
        }

        boolean drop() {
            return state.compareAndSet(QUEUED, TAKEN);
        }

        void run() {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }
    }
}
