package io.imgedge.proxy.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Collapses concurrent work on one key: the first caller (leader) runs it, callers arriving
 * while it runs (followers) get the same outcome, success or failure. The key is free again
 * once the work completes, so a failure is never remembered. Callers get their own dependent
 * future: cancelling it never cancels the shared work. Each caller says how long it waits
 * ({@link Waiting}); when every caller has stopped waiting before the work is done, the work is
 * told it is abandoned (it may drop what has not started) and the key is free for a new flight.
 * Thread-safe.
 */
public final class SingleFlight<K, V> {
    private final ConcurrentMap<K, Shared<V>> inFlight = new ConcurrentHashMap<>();

    /** The outcome of {@link #run}: the result and whether this caller joined someone else's work. */
    public record Flight<V>(CompletableFuture<V> result, boolean collapsed) {
    }

    /** One key's work in flight and who waits for it; {@code waiters} is -1 once abandoned. */
    private record Shared<V>(CompletableFuture<V> result, AtomicInteger waiters, CompletableFuture<Void> abandoned) {
        boolean join() {
            for (int n = waiters.get(); n > 0; n = waiters.get()) {
                if (waiters.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** As {@link #run(Object, Waiting, Function)} for work that is never abandoned. */
    public Flight<V> run(K key, Supplier<CompletableFuture<V>> work) {
        return run(key, Waiting.FOREVER, _ -> work.get());
    }

    /**
     * @param work given a stage that completes if every caller stops waiting before the work is done
     */
    public Flight<V> run(K key, Waiting waiting, Function<CompletionStage<Void>, CompletableFuture<V>> work) {
        while (true) {
            Shared<V> mine = new Shared<>(new CompletableFuture<>(), new AtomicInteger(1), new CompletableFuture<>());
            Shared<V> existing = inFlight.putIfAbsent(key, mine);
            if (existing != null) {
                if (existing.join()) {
                    waiting.onGone(() -> leave(key, existing));
                    return new Flight<>(existing.result().thenApply(v -> v), true);
                }
                inFlight.remove(key, existing); // abandoned: a new flight takes the key
                continue;
            }
            waiting.onGone(() -> leave(key, mine));
            CompletableFuture<V> started;
            try {
                started = work.apply(mine.abandoned());
            } catch (RuntimeException e) {
                started = CompletableFuture.failedFuture(e);
            }
            started.whenComplete((value, failure) -> {
                inFlight.remove(key, mine);
                if (failure != null) {
                    mine.result().completeExceptionally(failure);
                } else {
                    mine.result().complete(value);
                }
            });
            return new Flight<>(mine.result().thenApply(v -> v), false);
        }
    }

    private void leave(K key, Shared<V> flight) {
        if (flight.waiters().decrementAndGet() == 0 && !flight.result().isDone()
                && flight.waiters().compareAndSet(0, -1)) {
            inFlight.remove(key, flight);
            flight.abandoned().complete(null);
        }
    }

    /** Keys with work in flight now. */
    public int size() {
        return inFlight.size();
    }
}
