package io.imgedge.proxy.image;

import java.util.concurrent.CompletableFuture;

/** Lets a request that misses the cache go on to fetch and transform, or refuses it. */
@FunctionalInterface
public interface MissAdmission {
    /** Admits everything. */
    MissAdmission ANY = () -> CompletableFuture.completedFuture(() -> { });

    /** Completes with what to run once the miss is over, or fails with the refusal (an HttpError). */
    CompletableFuture<Runnable> admit();
}
