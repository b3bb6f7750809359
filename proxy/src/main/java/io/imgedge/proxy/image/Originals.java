package io.imgedge.proxy.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.imgedge.proxy.cache.CacheKey;
import io.imgedge.proxy.cache.CachedImage;
import io.imgedge.proxy.cache.Freshness;
import io.imgedge.proxy.cache.PurgeLog;
import io.imgedge.proxy.cache.SingleFlight;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.config.CacheConfig;
import io.imgedge.proxy.config.LimitsConfig;
import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.error.CircuitOpenException;
import io.imgedge.proxy.origin.Original;
import io.imgedge.proxy.origin.Origins;
import io.imgedge.proxy.url.Source;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

/**
 * Originals, through the source cache: one fetch per source at a time, http, s3 and store
 * originals kept in memory and on disk for their TTL, local files (already on disk) in memory
 * only; BMP and ICO turned into PNG and SVG sanitised on the way in. A source whose bytes turned
 * out unusable (too large, not an image, broken, a bomb) is remembered for
 * {@code cache.negative_ttl} and its original dropped, so it is fetched again after. Thread-safe.
 */
final class Originals {
    private final Origins origins;
    private final TieredCache sources;
    private final WorkerPool workers;
    private final Vips vips;
    private final LimitsConfig limits;
    private final CacheConfig cacheConfig;
    private final PurgeLog purges;
    private final InstantSource clock;
    private final ImageEvents events;
    private final SingleFlight<CacheKey, CachedImage> fetches = new SingleFlight<>();
    /** Sources whose bytes failed to be an image within the limits, by source key: every result of them fails alike. */
    private final Cache<String, HttpError> unusable;
    /** Fetched copies (source key and fetch time) known to decode whole, with their format: what {@code raw} serves. */
    private final Cache<String, ImageFormat> decoded = Caffeine.newBuilder().maximumSize(100_000).build();

    Originals(Origins origins, TieredCache sources, WorkerPool workers, Vips vips, LimitsConfig limits,
              CacheConfig cacheConfig, PurgeLog purges, InstantSource clock, ImageEvents events) {
        this.origins = origins;
        this.sources = sources;
        this.workers = workers;
        this.vips = vips;
        this.limits = limits;
        this.cacheConfig = cacheConfig;
        this.purges = purges;
        this.clock = clock;
        this.events = events;
        this.unusable = Caffeine.newBuilder().expireAfterWrite(cacheConfig.negativeTtl()).maximumSize(100_000)
                .ticker(() -> clock.millis() * 1_000_000L).build();
    }

    /**
     * The original as a cache entry. Fails with an {@link HttpError} (404 when the origin has no
     * such object), or with {@link CircuitOpenException} while the origin is left alone.
     */
    CompletableFuture<CachedImage> get(Source source) {
        CacheKey key = CacheKey.source(source);
        HttpError broken = unusable.getIfPresent(key.hex());
        if (broken != null) {
            return CompletableFuture.failedFuture(broken);
        }
        return sources.get(key).thenCompose(hit -> {
            if (hit.isPresent() && Freshness.of(hit.get().entry(), clock, Duration.ZERO) == Freshness.State.FRESH) {
                return CompletableFuture.completedFuture(hit.get().entry());
            }
            SingleFlight.Flight<CachedImage> flight = fetches.run(key, () -> {
                long startedAt = clock.millis();
                return fetch(source, key).thenApply(entry -> {
                    if (entry.expiresAt() > clock.millis()) {
                        sources.put(key, entry, source instanceof Source.LocalFile,
                                () -> !purges.purgedSince(key.hex(), key.hex(), startedAt));
                    }
                    return entry;
                });
            });
            if (flight.collapsed()) {
                events.collapsed("source");
            }
            return flight.result();
        });
    }

    /** Whether an original is an SVG document (sanitised on its way in). */
    static boolean isSvg(CachedImage original) {
        ByteBuffer head = original.payload().duplicate();
        byte[] start = new byte[Math.min(head.remaining(), 4096)];
        head.get(start);
        return SvgSanitizer.looksLikeSvg(start);
    }

    /** The format of an original that decodes whole, checked on a worker once per fetched copy. */
    CompletableFuture<ImageFormat> decodable(CachedImage original, Source source) {
        String copy = original.sourceKey() + "@" + original.createdAt();
        ImageFormat known = decoded.getIfPresent(copy);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return workers.submit(() -> vips.validate(original.payload().duplicate(), limits.image()).format())
                .whenComplete((format, failure) -> {
                    if (failure != null) {
                        unusableIf(ErrorMapper.toHttpError(failure), source);
                    } else {
                        decoded.put(copy, format);
                    }
                });
    }

    /**
     * Remembers {@code error} when it says the source's bytes are the trouble (413, 415, 422),
     * so that no size or format of it is tried again for a while (a costly one costs once), and
     * drops the original, so that it is fetched again after.
     */
    void unusableIf(HttpError error, Source source) {
        if (error.status() == 413 || error.status() == 415 || error.status() == 422) {
            CacheKey key = CacheKey.source(source);
            unusable.put(key.hex(), error);
            sources.evict(key);
        }
    }

    /** Forgets what is cached and remembered of a source. Blocking (disk): call off the event loop. */
    int purge(CacheKey source) {
        unusable.invalidate(source.hex());
        return sources.remove(source);
    }

    private CompletableFuture<CachedImage> fetch(Source source, CacheKey key) {
        String kind = switch (source) {
            case Source.Remote _ -> "http";
            case Source.Archived _ -> "hive";
            case Source.S3Object _ -> "s3";
            case Source.LocalFile _ -> "local";
            case Source.Stored _ -> "store";
        };
        long start = System.nanoTime();
        long now = clock.millis();
        return origins.fetch(source).handle((original, failure) -> {
            if (failure == null) {
                events.fetched(kind, 200, System.nanoTime() - start);
                return original;
            }
            Throwable cause = ErrorMapper.unwrap(failure);
            events.fetched(kind, cause instanceof CircuitOpenException ? 503 : ErrorMapper.toHttpError(cause).status(),
                    System.nanoTime() - start);
            // an open circuit stays recognisable: a cached copy of any age may answer for it
            throw cause instanceof CircuitOpenException open ? open : ErrorMapper.toHttpError(cause);
        }).thenCompose(original -> {
            byte[] bytes = original.bytes();
            boolean legacy = LegacyFormats.isLegacy(bytes);
            boolean svg = !legacy && SvgSanitizer.looksLikeSvg(bytes);
            if (svg && !limits.svg()) {
                throw HttpError.unsupportedMediaType("SVG sources are refused here (limits.svg = refuse)");
            }
            // decoding a BMP or ICO and rewriting an SVG is CPU work: on a worker, never on an event loop
            CompletableFuture<byte[]> usable = !legacy && !svg ? CompletableFuture.completedFuture(bytes)
                    : workers.submit(() -> legacy ? LegacyFormats.toPng(bytes, limits.image()) : SvgSanitizer.sanitize(bytes));
            return usable.thenApply(ready -> new CachedImage(ByteBuffer.wrap(ready), original.contentType(), "", now,
                    expiry(original, source, now), key.hex(), original.origin().kept()));
        });
    }

    /**
     * When an original fetched at {@code now} stops being fresh: configured TTLs of 0 mean never
     * for local, s3 and store sources; a remote origin's 0 (no-store, max-age=0 with
     * {@code remote_min} 0) means at once: such an original is not cached at all.
     */
    private long expiry(Original original, Source source, long now) {
        return switch (source) {
            case Source.Remote _, Source.Archived _ -> now + Freshness.remoteTtl(original.origin().cacheControl(), cacheConfig.remoteTtl(),
                    cacheConfig.remoteMinTtl(), cacheConfig.remoteMaxTtl()).toMillis();
            case Source.S3Object _ -> Freshness.expiry(now, cacheConfig.s3Ttl());
            case Source.LocalFile _ -> Freshness.expiry(now, cacheConfig.localTtl());
            case Source.Stored _ -> CachedImage.NEVER;
        };
    }
}
