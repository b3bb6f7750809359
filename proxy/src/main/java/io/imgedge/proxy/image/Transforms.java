package io.imgedge.proxy.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.imgedge.proxy.cache.CacheKey;
import io.imgedge.proxy.cache.CachedImage;
import io.imgedge.proxy.cache.PurgeLog;
import io.imgedge.proxy.cache.SingleFlight;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.config.LimitsConfig;
import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.error.CircuitOpenException;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.vips.EncodedImage;
import io.imgedge.vips.ImageLimits;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;
import io.imgedge.vips.WorkerPoolFullException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Results made from originals: one transform per result key in flight however many ask, a
 * 404 remembered per key for {@code cache.negative_ttl}, the transform queued no longer than the
 * transform timeout and not at all once nobody waits, its result cached (even when nobody waits
 * any more) unless purged meanwhile, its ETag the result's hash. Thread-safe.
 */
final class Transforms {
    private static final Logger LOG = LoggerFactory.getLogger(Transforms.class);

    /**
     * A result and what making it cost (shared by everyone who waited for it).
     *
     * @param fetched   whether the original was fetched for this result, not taken from the source cache
     * @param collapsed whether this waiter joined a transform another request started
     */
    record Made(CachedImage entry, long fetchNanos, long transformNanos, boolean fetched, boolean collapsed) {
        Made joined() {
            return new Made(entry, fetchNanos, transformNanos, false, true);
        }
    }

    /** A remembered 404 for a result key. */
    private record Missing(HttpError error, String sourceKey) {
    }

    private final Originals originals;
    private final WorkerPool workers;
    private final Vips vips;
    private final Specs specs;
    private final LimitsConfig limits;
    private final TieredCache results;
    private final PurgeLog purges;
    private final InstantSource clock;
    private final ImageEvents events;
    private final SingleFlight<CacheKey, Made> flights = new SingleFlight<>();
    private final Cache<CacheKey, Missing> missing;

    Transforms(Originals originals, WorkerPool workers, Vips vips, Specs specs, LimitsConfig limits, TieredCache results,
               PurgeLog purges, java.time.Duration negativeTtl, InstantSource clock, ImageEvents events) {
        this.originals = originals;
        this.workers = workers;
        this.vips = vips;
        this.specs = specs;
        this.limits = limits;
        this.results = results;
        this.purges = purges;
        this.clock = clock;
        this.events = events;
        this.missing = Caffeine.newBuilder().expireAfterWrite(negativeTtl).maximumSize(100_000)
                .ticker(() -> clock.millis() * 1_000_000L).build();
    }

    /** The result of {@code variant}, made once however many ask while it is made. */
    CompletableFuture<Made> make(Variant variant, Waiting waiting) {
        Missing known = missing.getIfPresent(variant.key());
        if (known != null) {
            return CompletableFuture.failedFuture(known.error());
        }
        SingleFlight.Flight<Made> flight = flights.run(variant.key(), waiting, abandoned -> transform(variant, abandoned));
        if (flight.collapsed()) {
            events.collapsed("result");
            return flight.result().thenApply(Made::joined);
        }
        return flight.result();
    }

    /** Makes {@code variant} again in the background (a stale entry is being served meanwhile). */
    void refresh(Variant variant) {
        flights.run(variant.key(), Waiting.FOREVER, abandoned -> transform(variant, abandoned)).result()
                .whenComplete((_, failure) -> {
                    if (failure != null) {
                        LOG.debug("background refresh of {} failed: {}", variant.request().source().canonical(),
                                failure.toString());
                    }
                });
    }

    /** Forgets a remembered 404 of one result. */
    void forget(CacheKey key) {
        missing.invalidate(key);
    }

    /** Forgets the remembered 404s of every result of a source. */
    void forgetSource(String sourceKey) {
        missing.asMap().values().removeIf(m -> m.sourceKey().equals(sourceKey));
    }

    private CompletableFuture<Made> transform(Variant variant, CompletionStage<Void> abandoned) {
        long startedAt = clock.millis();
        long fetchStart = System.nanoTime();
        CacheKey key = variant.key();
        String sourceKey = CacheKey.source(variant.request().source()).hex();
        ProcessingOptions.SourceLimits own = variant.request().options().adjust().sourceLimits();
        ImageLimits imageLimits = limits.image().lowered(own.pixels(), own.frames(), own.framePixels());
        return originals.get(variant.request().source()).thenCompose(original -> {
            if (own.bytes() > 0 && original.size() > own.bytes()) {
                throw HttpError.tooLarge("source is " + original.size() + " bytes, this URL's limit is " + own.bytes());
            }
            long transformStart = System.nanoTime();
            long timeout = limits.transformTimeout().toNanos();
            CompletableFuture<Made> transformed = workers.submit(() -> vips.transform(original.payload().duplicate(),
                    source -> variant.deferredQuality() ? specs.forOutput(variant.request().options(), variant.spec(), source.output()) : variant.spec(),
                    imageLimits), transformStart + timeout, abandoned)
                    .thenApply(image -> {
                        long done = System.nanoTime();
                        events.transformed(image.format(), done - transformStart);
                        CachedImage entry = new CachedImage(CachedImage.direct(image.bytes()), image.format().mimeType(),
                                etag(image), startedAt, original.expiresAt(), sourceKey, original.origin());
                        if (entry.expiresAt() > clock.millis()) {
                            results.put(key, entry, false, () -> !purges.purgedSince(key.hex(), sourceKey, startedAt));
                        }
                        return new Made(entry, transformStart - fetchStart, done - transformStart,
                                original.createdAt() >= startedAt, false);
                    });
            // past the timeout the request stops waiting; the transform, once running, still finishes and is cached
            return transformed.thenApply(made -> made).orTimeout(timeout, TimeUnit.NANOSECONDS)
                    .exceptionally(failure -> {
                        throw ErrorMapper.unwrap(failure) instanceof TimeoutException
                                ? HttpError.unavailable("transform took longer than " + limits.transformTimeout().toMillis() + " ms")
                                : failure instanceof RuntimeException r ? r : new CompletionException(failure);
                    });
        }).whenComplete((_, failure) -> {
            if (failure != null) {
                failed(variant, sourceKey, failure);
            }
        });
    }

    private void failed(Variant variant, String sourceKey, Throwable failure) {
        switch (ErrorMapper.unwrap(failure)) {
            case WorkerPoolFullException _ -> events.refused("busy");
            case CircuitOpenException _ -> events.refused("origin_circuit");
            default -> {
            }
        }
        HttpError error = ErrorMapper.toHttpError(failure);
        if (error.status() == 404) {
            missing.put(variant.key(), new Missing(error, sourceKey));
        } else if (variant.request().options().adjust().sourceLimits().equals(ProcessingOptions.SourceLimits.NONE)) {
            // a source over a URL's own lower limit is not unusable for other URLs
            originals.unusableIf(error, variant.request().source());
        }
    }

    static String etag(EncodedImage image) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(image.bytes());
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
