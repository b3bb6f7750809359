package io.imgedge.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One read over replicas, hedged: the backends are asked in order, the next one too when the
 * ones asked have not answered within {@code hedgeAfter}, or at once when all asked said
 * "absent" or failed. The first that has it wins; the others' late answers are ignored. Blocking
 * (the caller's thread waits; each backend is asked on the executor).
 */
final class HedgedRead<T> {
    private static final Logger LOG = LoggerFactory.getLogger(HedgedRead.class);

    /**
     * One backend's answer: found, absent (all null), failed (the store could not answer), or
     * refused (the call itself is wrong, such as a bad key or an object over the size limit).
     */
    private record Answer<T>(Optional<T> found, StoreException failure, RuntimeException refused) {
    }

    private final Executor executor;
    private final Duration hedgeAfter;
    private final String key;
    private final Function<BlobStore, Optional<T>> op;
    private final BlockingQueue<Answer<T>> answers = new LinkedBlockingQueue<>();

    HedgedRead(Executor executor, Duration hedgeAfter, String key, Function<BlobStore, Optional<T>> op) {
        this.executor = executor;
        this.hedgeAfter = hedgeAfter;
        this.key = key;
        this.op = op;
    }

    /**
     * @return what the first backend that has it answered; empty when every backend answered and none has it
     * @throws StoreException when no backend has it and at least one could not answer
     * @throws RuntimeException what a backend threw for a call that is wrong in itself (bad key, too large)
     */
    Optional<T> ask(List<BlobStore> order) {
        int asked = 0;
        int answered = 0;
        boolean absent = false;
        StoreException failure = null;
        try {
            while (answered < order.size()) {
                if (asked == answered) {
                    ask(order.get(asked++));
                }
                Answer<T> answer = asked < order.size() ? answers.poll(hedgeAfter.toNanos(), TimeUnit.NANOSECONDS)
                        : answers.take();
                if (answer == null) {
                    ask(order.get(asked++)); // the ones asked are slow: ask another too
                    continue;
                }
                answered++;
                if (answer.refused() != null) {
                    throw answer.refused(); // every backend would say the same
                }
                if (answer.found() != null && answer.found().isPresent()) {
                    return answer.found();
                }
                if (answer.failure() != null) {
                    failure = answer.failure();
                } else {
                    absent = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while reading " + key, e);
        }
        if (absent) {
            return Optional.empty();
        }
        throw new StoreException("no store backend could read " + key, failure);
    }

    private void ask(BlobStore backend) {
        executor.execute(() -> {
            try {
                answers.add(new Answer<>(op.apply(backend), null, null));
            } catch (StoreException e) {
                LOG.debug("read of {} failed on {}: {}", key, backend.name(), e.getMessage());
                answers.add(new Answer<>(null, e, null));
            } catch (RuntimeException e) {
                answers.add(new Answer<>(null, null, e));
            }
        });
    }
}
