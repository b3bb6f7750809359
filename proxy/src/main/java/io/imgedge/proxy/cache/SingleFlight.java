package io.imgedge.proxy.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * Collapses concurrent work on one key: the first caller (leader) runs it, callers arriving
 * while it runs (followers) get the same outcome, success or failure. The key is free again
 * once the work completes, so a failure is never remembered. Callers get their own dependent
 * future: cancelling it (a client gone) never cancels the shared work. Thread-safe.
 */
public final class SingleFlight<K, V> {
    private final ConcurrentMap<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    /** The outcome of {@link #run}: the result and whether this caller joined someone else's work. */
    public record Flight<V>(CompletableFuture<V> result, boolean collapsed) {
    }

    public Flight<V> run(K key, Supplier<CompletableFuture<V>> work) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> existing = inFlight.putIfAbsent(key, mine);
        if (existing != null) {
            return new Flight<>(existing.thenApply(v -> v), true);
        }
        CompletableFuture<V> started;
        try {
            started = work.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((value, failure) -> {
            inFlight.remove(key, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(value);
            }
        });
        return new Flight<>(mine.thenApply(v -> v), false);
    }

    /** Keys with work in flight now. */
    public int size() {
        return inFlight.size();
    }
}
