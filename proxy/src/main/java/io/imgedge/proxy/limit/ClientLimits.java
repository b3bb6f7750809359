package io.imgedge.proxy.limit;

import io.imgedge.proxy.config.ThrottleConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.metrics.ServerMetrics;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Per-client fairness: a request rate (token bucket) and a number of cache misses running at
 * once, each refused with 429 and {@code Retry-After}. Decisions come from the {@link LimitStore}
 * (this node, or the cluster through Redis) and are asynchronous. Thread-safe.
 */
public final class ClientLimits {
    private static final CompletableFuture<Optional<HttpError>> ALLOWED = CompletableFuture.completedFuture(Optional.empty());
    private static final Runnable NOTHING = () -> { };

    private volatile ThrottleConfig config;
    private final LimitStore store;
    private final Duration missTtl;
    private final ServerMetrics metrics;

    /** @param missTtl longest a miss can hold its slot (the request timeout and some) */
    public ClientLimits(ThrottleConfig config, LimitStore store, Duration missTtl, ServerMetrics metrics) {
        this.config = config;
        this.store = store;
        this.missTtl = missTtl;
        this.metrics = metrics;
    }

    /** Takes new rates and counts from now on (reload); buckets and slots carry over. */
    public void update(ThrottleConfig fresh) {
        this.config = fresh;
    }

    /** Whether any per-client limit is configured. */
    public boolean active() {
        return config.clientRate() > 0 || config.clientMisses() > 0;
    }

    /** Completes empty when {@code client} may make a request now, else with the 429 to answer. */
    public CompletableFuture<Optional<HttpError>> admit(String client) {
        if (config.clientRate() == 0) {
            return ALLOWED;
        }
        return store.take("rate:" + client, config.clientRate(), config.clientBurst()).thenApply(waitMillis -> {
            if (waitMillis == 0) {
                return Optional.empty();
            }
            metrics.throttled("client_rate");
            return Optional.of(HttpError.tooManyRequests("request rate limit reached", (waitMillis + 999) / 1000));
        });
    }

    /**
     * Takes one of {@code client}'s cache-miss slots: completes with what releases it, or fails
     * with a 429 when the client has all its misses running.
     */
    public CompletableFuture<Runnable> beginMiss(String client) {
        if (config.clientMisses() == 0) {
            return CompletableFuture.completedFuture(NOTHING);
        }
        return store.acquire("misses:" + client, config.clientMisses(), missTtl).thenApply(slot -> {
            if (slot.isEmpty()) {
                metrics.throttled("client_misses");
                throw HttpError.tooManyRequests("too many uncached requests at once from this client", 1);
            }
            return slot.get()::release;
        });
    }
}
