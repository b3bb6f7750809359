package io.imgedge.proxy.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.imgedge.proxy.cache.CacheKey;
import io.imgedge.proxy.cache.CachedImage;
import io.imgedge.proxy.cache.Freshness;
import io.imgedge.proxy.cache.PurgeLog;
import io.imgedge.proxy.cache.SingleFlight;
import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.config.CacheConfig;
import io.imgedge.proxy.config.LimitsConfig;
import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.imgedge.proxy.origin.CircuitOpenException;
import io.imgedge.proxy.origin.Original;
import io.imgedge.proxy.origin.Origins;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.ProcessingRequest;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.proxy.url.Source;
import io.imgedge.vips.EncodedImage;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.ImageInfo;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;
import io.imgedge.vips.WorkerPoolFullException;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * The image path, in order: parse and verify the URL → result cache (memory, disk) → one
 * transform per result key in flight → source cache → one fetch per source in flight → origin
 * → libvips on the worker pool → cache fill. Fresh hits are served; an expired entry is served
 * {@code stale} while one background refresh runs, for up to {@code cache.stale_if_error}.
 * Never blocks the caller; failures arrive as {@link HttpError}s or exceptions
 * {@link ErrorMapper} knows. Thread-safe.
 */
public final class ImageService {
    private static final Logger LOG = LoggerFactory.getLogger(ImageService.class);
    /** The timing of a lookup under 0.05 ms, which rounds to this anyway (most memory hits). */
    private static final String INSTANT_LOOKUP = "cache;dur=0.0";
    /**
     * The start of a memory lookup, which is not timed: a hash lookup takes well under the
     * 0.1 ms Server-Timing shows, so two clock reads per hit would only ever say 0.0.
     */
    private static final long INSTANT = Long.MIN_VALUE;
    private static final HttpError EXPIRED = HttpError.forbidden("URL expired");

    /** A result and what making it cost (shared by everyone who waited for it). */
    /** @param fetched whether the original was fetched for this result, not taken from the source cache */
    private record Produced(CachedImage entry, long fetchNanos, long transformNanos, boolean fetched) {
    }

    /** A remembered 404 for a result key. */
    private record Missing(HttpError error, String sourceKey) {
    }

    /** One output of a URL: what to make and where it is cached. */
    private record Variant(TransformSpec spec, CacheKey key) {
    }

    /**
     * What a raw path parses to: a hot URL is parsed, verified and hashed once, with a variant
     * per negotiable format when the URL names no format.
     *
     * @param negotiated variants by {@code Accept}-chosen format; empty when the URL fixes the format
     */
    private record Parsed(ProcessingRequest request, Variant plain, Map<ImageFormat, Variant> negotiated) {
        List<CacheKey> keys() {
            List<CacheKey> keys = new ArrayList<>();
            keys.add(plain.key());
            negotiated.values().forEach(v -> keys.add(v.key()));
            return keys;
        }
    }

    /** Bytes of parsed paths kept (by path length plus a fixed allowance per entry). */
    private static final long PARSED_BYTES = 16L << 20;

    private final ProcessingUrlParser urls;
    private final Origins origins;
    private final WorkerPool workers;
    private final Vips vips;
    private final LimitsConfig limits;
    private final ProcessingConfig processing;
    private final CacheConfig cacheConfig;
    private final TieredCache results;
    private final TieredCache sources;
    private final PurgeLog purges;
    private final InstantSource clock;
    private final ServerMetrics metrics;
    private final Counter staleHits;
    private final FormatNegotiation negotiation;
    private final SingleFlight<CacheKey, Produced> transforms = new SingleFlight<>();
    private final SingleFlight<CacheKey, CachedImage> fetches = new SingleFlight<>();
    private final Cache<CacheKey, Missing> missing;
    /** Sources whose bytes failed to be an image within the limits, by source key: every result of them fails alike. */
    private final Cache<String, HttpError> unusable;
    /** Fetched copies (source key and fetch time) known to decode whole, with their format: what {@code raw} serves. */
    private final Cache<String, ImageFormat> decoded = Caffeine.newBuilder().maximumSize(100_000).build();
    private final Cache<String, Parsed> parsed = Caffeine.newBuilder().maximumWeight(PARSED_BYTES).executor(Runnable::run)
            .weigher((String path, Parsed _) -> 2 * path.length() + 512).build();

    public ImageService(ProcessingUrlParser urls, Origins origins, WorkerPool workers, Vips vips, LimitsConfig limits,
                        ProcessingConfig processing, CacheConfig cacheConfig, TieredCache results, TieredCache sources,
                        InstantSource clock, ServerMetrics metrics) {
        this.urls = urls;
        this.origins = origins;
        this.workers = workers;
        this.vips = vips;
        this.limits = limits;
        this.processing = processing;
        this.negotiation = new FormatNegotiation(processing.autoFormats());
        this.cacheConfig = cacheConfig;
        this.results = results;
        this.sources = sources;
        this.clock = clock;
        this.metrics = metrics;
        this.staleHits = metrics.cacheLookups("result", "stale");
        this.purges = new PurgeLog(Duration.ofHours(1), clock);
        this.missing = Caffeine.newBuilder().expireAfterWrite(cacheConfig.negativeTtl()).maximumSize(100_000)
                .ticker(() -> clock.millis() * 1_000_000L).build();
        this.unusable = Caffeine.newBuilder().expireAfterWrite(cacheConfig.negativeTtl()).maximumSize(100_000)
                .ticker(() -> clock.millis() * 1_000_000L).build();
    }

    /**
     * The image a processing path names: from the cache when fresh (or stale within the
     * bounds), else made once however many ask at the same time, after {@code admission} lets
     * this request miss. Without a format in the URL, {@code accept} may choose one. When the
     * origin's circuit is open any cached copy is served stale.
     */
    public CompletableFuture<ImageReply> process(String rawPath, String accept, MissAdmission admission, Waiting waiting) {
        return process(rawPath, () -> parsed(urls.parse(rawPath), true), accept, admission, waiting);
    }

    /**
     * As {@link #process(String, String, MissAdmission)} for a request made some other way (the
     * Hive dialect, which fixes its format itself), parsed once per {@code id}.
     */
    public CompletableFuture<ImageReply> process(String id, Supplier<ProcessingRequest> parse, MissAdmission admission,
                                                 Waiting waiting) {
        return process("hive|" + id, () -> parsed(parse.get(), false), null, admission, waiting);
    }

    /**
     * What the source of a processing path is (format, size, frames, orientation), read from its
     * header on a worker. Fails like {@link #process}.
     */
    public CompletableFuture<ImageInfo> info(String rawPath) {
        ProcessingRequest request;
        try {
            request = urls.parse(rawPath);
            origins.refusal(request.source()).ifPresent(refused -> {
                throw refused;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (expired(request)) {
            return CompletableFuture.failedFuture(EXPIRED);
        }
        return original(request.source()).thenCompose(original -> workers.submit(() -> vips.probe(original.payload().duplicate())));
    }

    /**
     * The source's own bytes (imgproxy's {@code raw}), once libvips has recognised them as an
     * image: never arbitrary content under an image URL.
     */
    private CompletableFuture<ImageReply> raw(ProcessingRequest request, long start) {
        HttpError broken = unusable.getIfPresent(CacheKey.source(request.source()).hex());
        if (broken != null) {
            return CompletableFuture.failedFuture(broken);
        }
        CompletableFuture<CachedImage> original = original(request.source());
        String cacheStatus = original.isDone() && !original.isCompletedExceptionally() ? "hit-memory" : "miss";
        // served only once libvips has decoded the whole of it (a cut body's header still reads)
        return original.thenCompose(entry -> decodable(entry).whenComplete((_, failure) -> {
                    if (failure != null) {
                        unusableIf(ErrorMapper.toHttpError(failure), request.source());
                    }
                })
                .thenApply(format -> {
                    CRC32C crc = new CRC32C();
                    crc.update(entry.payload().duplicate());
                    String etag = "W/\"" + Long.toHexString(crc.getValue()) + "-" + Integer.toHexString(entry.size()) + "\"";
                    return new ImageReply(entry.payload(), format.mimeType(), etag, maxAge(request), cacheStatus,
                            cacheStatus.equals("miss") ? "fetch;dur=" + millis(System.nanoTime() - start) : lookupTiming(start),
                            false, cacheStatus.equals("miss") ? 200 : 0, ImageReply.File.NONE);
                }));
    }

    private CompletableFuture<ImageReply> process(String id, Supplier<Parsed> parse, String accept,
                                                  MissAdmission admission, Waiting waiting) {
        Parsed url = parsed.getIfPresent(id);
        if (url == null) {
            // the source policy is asked here, before any cache: parsed URLs are forgotten when it changes
            try {
                url = parse.get();
                origins.refusal(url.request().source()).ifPresent(refused -> {
                    throw refused;
                });
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            parsed.put(id, url);
        }
        ProcessingRequest request = url.request();
        if (expired(request)) {
            return CompletableFuture.failedFuture(EXPIRED);
        }
        if (request.options().adjust().raw()) {
            return raw(request, System.nanoTime());
        }
        Variant variant = url.plain();
        if (!url.negotiated().isEmpty()) {
            Optional<ImageFormat> chosen = negotiation.choose(accept);
            if (chosen.isPresent()) {
                variant = url.negotiated().get(chosen.get());
            }
        }
        boolean vary = !url.negotiated().isEmpty();
        TransformSpec spec = variant.spec();
        CacheKey key = variant.key();
        // a memory hit is answered on the spot, without a future chain
        CachedImage inMemory = results.inMemory(key);
        if (inMemory != null) {
            return served(inMemory, TieredCache.Tier.MEMORY, key, request, spec, vary, INSTANT, admission, waiting);
        }
        long start = System.nanoTime();
        return results.onDisk(key).thenCompose(hit -> served(hit.map(TieredCache.Hit::entry).orElse(null),
                TieredCache.Tier.DISK, key, request, spec, vary, start, admission, waiting));
    }

    /**
     * The answer once the cache has been asked: a fresh or (within bounds) stale {@code entry}
     * from {@code tier} as it is, else the result produced again (served stale instead if the
     * origin's circuit is open). {@code entry} is null on a miss.
     */
    private CompletableFuture<ImageReply> served(CachedImage entry, TieredCache.Tier tier, CacheKey key,
                                                 ProcessingRequest request, TransformSpec spec, boolean vary, long start,
                                                 MissAdmission admission, Waiting waiting) {
        if (entry != null) {
            switch (Freshness.of(entry, clock, cacheConfig.staleIfError())) {
                case FRESH -> {
                    return CompletableFuture.completedFuture(reply(request, key, entry, tier.header(), lookupTiming(start), vary, 0));
                }
                case STALE -> {
                    staleHits.increment();
                    refresh(key, request, spec);
                    return CompletableFuture.completedFuture(reply(request, key, entry, "stale", lookupTiming(start), vary, 0));
                }
                case EXPIRED -> {
                    // too old to serve unless the origin is known to be down: produce it again below
                }
            }
        }
        CompletableFuture<ImageReply> made = admission.admit().thenCompose(done -> produce(key, request, spec, waiting)
                .whenComplete((_, _) -> done.run())).thenApply(p -> reply(request, key, p.entry(), "miss",
                "fetch;dur=" + millis(p.fetchNanos()) + ", transform;dur=" + millis(p.transformNanos()), vary,
                p.fetched() ? 200 : 0));
        if (entry == null) {
            return made;
        }
        return made.exceptionallyCompose(failure -> ErrorMapper.unwrap(failure) instanceof CircuitOpenException
                ? CompletableFuture.completedFuture(reply(request, key, entry, "stale", lookupTiming(start), vary, 0))
                : CompletableFuture.failedFuture(failure));
    }

    /** Whether the URL's {@code exp} time has passed (0 and negative times have long passed). */
    private boolean expired(ProcessingRequest request) {
        long expires = request.options().adjust().expires();
        return expires != ProcessingOptions.Adjustments.NEVER && clock.millis() / 1000 > expires;
    }

    /** How long a response may be cached: the configured max-age, but never past the URL's expiry. */
    private Duration maxAge(ProcessingRequest request) {
        long expires = request.options().adjust().expires();
        if (expires == ProcessingOptions.Adjustments.NEVER) {
            return processing.maxAge();
        }
        long left = Math.max(0, expires - clock.millis() / 1000);
        return left >= processing.maxAge().toSeconds() ? processing.maxAge() : Duration.ofSeconds(left);
    }

    /** The format of an original that decodes whole, checked on a worker once per fetched copy. */
    private CompletableFuture<ImageFormat> decodable(CachedImage original) {
        String copy = original.sourceKey() + "@" + original.createdAt();
        ImageFormat known = decoded.getIfPresent(copy);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return workers.submit(() -> vips.validate(original.payload().duplicate(), limits.image()).format())
                .thenApply(format -> {
                    decoded.put(copy, format);
                    return format;
                });
    }

    /** Forgets every parsed URL: after a reload of presets, URLs must be parsed again. */
    public void forgetParsedUrls() {
        parsed.invalidateAll();
    }

    /**
     * Removes the result of one processing URL from every tier; a transform already running for
     * it will not put it back.
     *
     * @return entries removed. Blocking (disk): call off the event loop.
     */
    public int purgeUrl(String rawPath) {
        int removed = 0;
        for (CacheKey key : parsed(urls.parse(rawPath), true).keys()) {
            purges.purged(key.hex());
            missing.invalidate(key);
            removed += results.remove(key);
        }
        return removed;
    }

    /**
     * Removes every result made from {@code sourceUrl}, and the cached original, from every tier.
     *
     * @return entries removed. Blocking (disk): call off the event loop.
     */
    public int purgeSource(String sourceUrl) {
        CacheKey sourceKey = CacheKey.source(Source.parse(sourceUrl));
        purges.purged(sourceKey.hex());
        missing.asMap().values().removeIf(m -> m.sourceKey().equals(sourceKey.hex()));
        unusable.invalidate(sourceKey.hex());
        return results.removeSource(sourceKey.hex()) + sources.remove(sourceKey);
    }

    /** The variants of a request: as asked, and per negotiable format when it names none. */
    private Parsed parsed(ProcessingRequest request, boolean negotiable) {
        TransformSpec spec = spec(request.options());
        String buster = request.options().adjust().cachebuster();
        Variant plain = new Variant(spec, deferredQuality(request.options())
                ? CacheKey.resultWithFormatQuality(request.source(), spec, buster)
                : CacheKey.result(request.source(), spec, buster));
        Map<ImageFormat, Variant> negotiated = new EnumMap<>(ImageFormat.class);
        if (negotiable && request.options().format().isEmpty()) {
            for (ImageFormat format : negotiation.preferred()) {
                TransformSpec chosen = spec(request.options().withFormat(format));
                negotiated.put(format, new Variant(chosen, CacheKey.result(request.source(), chosen, buster)));
            }
        }
        return new Parsed(request, plain, negotiated);
    }

    private CompletableFuture<Produced> produce(CacheKey key, ProcessingRequest request, TransformSpec spec,
                                                Waiting waiting) {
        Missing known = missing.getIfPresent(key);
        if (known != null) {
            return CompletableFuture.failedFuture(known.error());
        }
        HttpError broken = unusable.getIfPresent(CacheKey.source(request.source()).hex());
        if (broken != null) {
            return CompletableFuture.failedFuture(broken);
        }
        SingleFlight.Flight<Produced> flight = transforms.run(key, waiting, abandoned -> make(key, request, spec, abandoned));
        if (flight.collapsed()) {
            metrics.collapsed("result");
        }
        return flight.result();
    }

    private void refresh(CacheKey key, ProcessingRequest request, TransformSpec spec) {
        transforms.run(key, Waiting.FOREVER, abandoned -> make(key, request, spec, abandoned)).result().whenComplete((_, failure) -> {
            if (failure != null) {
                LOG.debug("background refresh of {} failed: {}", request.source().canonical(), failure.toString());
            }
        });
    }

    /**
     * Fetches (through the source cache), transforms and caches one result. The transform waits
     * in the worker queue no longer than the transform timeout, and not at all once
     * {@code abandoned} completes (nobody waits); once it runs, its result is cached even if
     * nobody waits for it any more.
     */
    private CompletableFuture<Produced> make(CacheKey key, ProcessingRequest request, TransformSpec spec,
                                             CompletionStage<Void> abandoned) {
        long startedAt = clock.millis();
        long fetchStart = System.nanoTime();
        String sourceKey = CacheKey.source(request.source()).hex();
        return original(request.source()).thenCompose(original -> {
            long transformStart = System.nanoTime();
            long timeout = limits.transformTimeout().toNanos();
            CompletableFuture<Produced> transformed = workers.submit(() -> vips.transform(original.payload().duplicate(),
                    withFormatQuality(spec, request, original), limits.image()), transformStart + timeout, abandoned)
                    .thenApply(image -> {
                        long done = System.nanoTime();
                        metrics.transform(image.format().extension(), done - transformStart);
                        CachedImage entry = new CachedImage(CachedImage.direct(image.bytes()), image.format().mimeType(),
                                etag(image), startedAt, original.expiresAt(), sourceKey);
                        if (entry.expiresAt() > clock.millis()) {
                            results.put(key, entry, false, () -> !purges.purgedSince(key.hex(), sourceKey, startedAt));
                        }
                        return new Produced(entry, transformStart - fetchStart, done - transformStart,
                                original.createdAt() >= startedAt);
                    });
            // past the timeout the request stops waiting; the transform, once running, still finishes and is cached
            return transformed.thenApply(produced -> produced).orTimeout(timeout, TimeUnit.NANOSECONDS)
                    .exceptionally(failure -> {
                        throw ErrorMapper.unwrap(failure) instanceof TimeoutException
                                ? HttpError.unavailable("transform took longer than " + limits.transformTimeout().toMillis() + " ms")
                                : failure instanceof RuntimeException r ? r : new CompletionException(failure);
                    });
        }).whenComplete((_, failure) -> {
            if (failure != null) {
                switch (ErrorMapper.unwrap(failure)) {
                    case WorkerPoolFullException _ -> metrics.throttled("busy");
                    case CircuitOpenException _ -> metrics.throttled("origin_circuit");
                    default -> {
                    }
                }
                HttpError error = ErrorMapper.toHttpError(failure);
                if (error.status() == 404) {
                    missing.put(key, new Missing(error, sourceKey));
                } else {
                    unusableIf(error, request.source());
                }
            }
        });
    }

    /**
     * When the source's bytes are the trouble (too large, not an image, broken or cut short, a
     * bomb): no size or format of it is tried again for {@code cache.negative_ttl}, so a costly one
     * costs once, and the original leaves the source cache, so that it is fetched again after.
     */
    private void unusableIf(HttpError error, Source source) {
        if (error.status() == 413 || error.status() == 415 || error.status() == 422) {
            CacheKey key = CacheKey.source(source);
            unusable.put(key.hex(), error);
            sources.evict(key);
        }
    }

    /**
     * The original as a cache entry, through the source cache and one fetch per source at a
     * time: http, s3 and store originals in memory and on disk, local files (already on disk) in
     * memory only. Fails with an {@link HttpError} (404 when the origin has no such object).
     */
    public CompletableFuture<CachedImage> original(Source source) {
        CacheKey key = CacheKey.source(source);
        boolean memoryOnly = source instanceof Source.LocalFile;
        return sources.get(key).thenCompose(hit -> {
            if (hit.isPresent() && Freshness.of(hit.get().entry(), clock, Duration.ZERO) == Freshness.State.FRESH) {
                return CompletableFuture.completedFuture(hit.get().entry());
            }
            SingleFlight.Flight<CachedImage> flight = fetches.run(key, () -> {
                long startedAt = clock.millis();
                return fetch(source, key).thenApply(entry -> {
                    if (entry.expiresAt() > clock.millis()) {
                        sources.put(key, entry, memoryOnly, () -> !purges.purgedSince(key.hex(), key.hex(), startedAt));
                    }
                    return entry;
                });
            });
            if (flight.collapsed()) {
                metrics.collapsed("source");
            }
            return flight.result();
        });
    }

    private CompletableFuture<CachedImage> fetch(Source source, CacheKey key) {
        String kind = switch (source) {
            case Source.Remote _ -> "http";
            case Source.S3Object _ -> "s3";
            case Source.LocalFile _ -> "local";
            case Source.Stored _ -> "store";
        };
        long start = System.nanoTime();
        long now = clock.millis();
        return origins.fetch(source).handle((original, failure) -> {
            metrics.originFetch(kind, failure == null ? "ok" : "error", System.nanoTime() - start);
            if (failure == null) {
                metrics.originResponse(kind, 200);
            } else {
                Throwable cause = ErrorMapper.unwrap(failure);
                metrics.originResponse(kind, cause instanceof CircuitOpenException ? 503 : ErrorMapper.toHttpError(cause).status());
                // an open circuit stays recognisable: a cached copy of any age may answer for it
                throw cause instanceof CircuitOpenException open ? open : ErrorMapper.toHttpError(cause);
            }
            return original;
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
                    expiry(original, source, now), key.hex()));
        });
    }

    /**
     * When an original fetched at {@code now} stops being fresh: configured TTLs of 0 mean never
     * for local, s3 and store sources; a remote origin's 0 (no-store, max-age=0 with
     * {@code remote_min} 0) means at once: such an original is not cached at all.
     */
    private long expiry(Original original, Source source, long now) {
        return switch (source) {
            case Source.Remote _ -> now + Freshness.remoteTtl(original.cacheControl(), cacheConfig.remoteTtl(),
                    cacheConfig.remoteMinTtl(), cacheConfig.remoteMaxTtl()).toMillis();
            case Source.S3Object _ -> Freshness.expiry(now, cacheConfig.s3Ttl());
            case Source.LocalFile _ -> Freshness.expiry(now, cacheConfig.localTtl());
            case Source.Stored _ -> CachedImage.NEVER;
        };
    }

    private TransformSpec spec(ProcessingOptions o) {
        TransformSpec.Fit fit = switch (o.resizingType()) {
            case FIT -> TransformSpec.Fit.FIT;
            case FILL -> TransformSpec.Fit.FILL;
            case FORCE -> TransformSpec.Fit.FORCE;
            case AUTO -> TransformSpec.Fit.AUTO;
            case FILL_DOWN -> TransformSpec.Fit.FILL_DOWN;
        };
        int quality = o.quality() != 0 ? o.quality()
                : o.format().map(f -> processing.formatQuality().getOrDefault(f, processing.quality())).orElse(processing.quality());
        double dpr = o.adjust().dpr();
        return new TransformSpec(scaled(o.width(), dpr), scaled(o.height(), dpr), fit, o.gravity(), o.enlarge(), o.format(),
                quality, o.adjust().stripMetadata().orElse(processing.stripMetadata()), o.adjust().effects());
    }

    /**
     * The spec with the configured quality of the output format when the URL set neither quality
     * nor format: only now, with the original in hand, is its format (kept as the output) known.
     * Runs on a worker.
     */
    private TransformSpec withFormatQuality(TransformSpec spec, ProcessingRequest request, CachedImage original) {
        if (!deferredQuality(request.options()) || spec.format().isPresent()) {
            return spec;
        }
        ImageFormat source = vips.probe(original.payload().duplicate()).format();
        ImageFormat output = source.writable() ? source : source == ImageFormat.SVG ? ImageFormat.PNG : ImageFormat.JPEG;
        return spec.withQuality(processing.formatQuality().getOrDefault(output, processing.quality()));
    }

    /** Whether the quality waits for the source's format: neither quality nor format in the URL, defaults per format set. */
    private boolean deferredQuality(ProcessingOptions o) {
        return o.quality() == 0 && o.format().isEmpty() && !processing.formatQuality().isEmpty();
    }

    /** A side times the device pixel ratio, within the result limit. */
    private int scaled(int side, double dpr) {
        return (int) Math.min(limits.maxResultSide(), Math.round(side * dpr));
    }

    private ImageReply reply(ProcessingRequest request, CacheKey key, CachedImage entry, String cacheStatus, String timing,
                             boolean varyAccept, int originStatus) {
        return new ImageReply(entry.payload(), entry.contentType(), entry.etag(), maxAge(request), cacheStatus, timing,
                varyAccept, originStatus, () -> results.file(key, entry.etag(), entry.size()));
    }

    /** The timing of a lookup that began at {@code start}, or of a memory lookup ({@link #INSTANT}, not timed). */
    private static String lookupTiming(long start) {
        if (start == INSTANT) {
            return INSTANT_LOOKUP;
        }
        long nanos = System.nanoTime() - start;
        return nanos < 50_000 ? INSTANT_LOOKUP : "cache;dur=" + millis(nanos);
    }

    /** Milliseconds with one decimal, without the cost of String.format on the hit path. */
    static String millis(long nanos) {
        long tenths = (nanos + 50_000) / 100_000;
        return (tenths / 10) + "." + (tenths % 10);
    }

    private static String etag(EncodedImage image) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(image.bytes());
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
