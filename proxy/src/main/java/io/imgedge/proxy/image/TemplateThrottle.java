package io.imgedge.proxy.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.imgedge.proxy.config.TemplatesConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.limit.LimitStore;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

/**
 * Fair throttling of template renders by customer (the template's tenant), as ad renderers do
 * it, in the limit store (Redis when configured: the whole cluster; slots expire when a node
 * dies holding them). The first {@code start} renders in flight are anyone's; past them each
 * customer may have {@code per_customer} in flight, and all together at most
 * {@code max_in_flight}. A product-image download or render slower than {@code slow} counts
 * against its customer; while a customer's count over {@code slow_window} is past
 * {@code slow_limit}, its uncached renders are refused (cached ones are still served). Refusals
 * are 429 with Retry-After for the customer, 503 when every slot is taken. Thread-safe.
 */
final class TemplateThrottle {
    private final LimitStore store;
    private final TemplatesConfig.Throttle config;
    private final InstantSource clock;
    private final ImageEvents events;
    /** Customers refused for slowness, until when (epoch millis), on this node. */
    private final Cache<String, Long> slowUntil = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofHours(1)).build();

    TemplateThrottle(LimitStore store, TemplatesConfig.Throttle config, InstantSource clock, ImageEvents events) {
        this.events = events;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    /** Takes a render's slots for {@code tenant}: the future gives what lets them go. */
    CompletableFuture<Runnable> admit(String tenant) {
        Long until = slowUntil.getIfPresent(tenant);
        long now = clock.millis();
        if (until != null && until > now) {
            events.templateRendered(tenant, "throttled_slow");
            return CompletableFuture.failedFuture(HttpError.tooManyRequests("renders of " + tenant
                    + " are slow: throttled for a while", (until - now + 999) / 1000));
        }
        Duration ttl = config.slotTtl();
        return store.acquire("tpl:idle", config.start(), ttl).thenCompose(idle -> {
            if (idle.isPresent()) {
                return CompletableFuture.completedFuture((Runnable) idle.get()::release);
            }
            return store.acquire("tpl:c:" + tenant, config.perCustomer(), ttl).thenCompose(own -> {
                if (own.isEmpty()) {
                    events.templateRendered(tenant, "throttled_share");
                    throw HttpError.tooManyRequests(tenant + " has " + config.perCustomer() + " renders in flight", 1);
                }
                return store.acquire("tpl:busy", config.maxInFlight() - config.start(), ttl).thenApply(busy -> {
                    if (busy.isEmpty()) {
                        own.get().release();
                        events.templateRendered(tenant, "busy");
                        throw HttpError.busy(503, "every render slot is taken");
                    }
                    LimitStore.Slot shared = busy.get();
                    LimitStore.Slot mine = own.get();
                    return (Runnable) () -> {
                        shared.release();
                        mine.release();
                    };
                });
            });
        });
    }

    /** Counts an operation ({@code download} or {@code draw}) for {@code tenant} that took {@code nanos}, when that is slow. */
    void took(String tenant, String operation, long nanos) {
        if (nanos < config.slow().toNanos()) {
            return;
        }
        events.templateSlow(tenant, operation);
        double perSecond = config.slowLimit() / (double) Math.max(1, config.slowWindow().toSeconds());
        store.take("tpl:slow:" + tenant, perSecond, config.slowLimit()).thenAccept(waitMillis -> {
            if (waitMillis > 0) {
                slowUntil.put(tenant, clock.millis() + waitMillis);
            }
        });
    }
}
