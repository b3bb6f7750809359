package io.imgedge.proxy.image;

import io.imgedge.proxy.cache.CachedImage;
import io.imgedge.proxy.cache.PurgeLog;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.config.CacheConfig;
import io.imgedge.proxy.config.LimitsConfig;
import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.error.CircuitOpenException;
import io.imgedge.proxy.origin.Origins;
import io.imgedge.proxy.url.ClientHints;
import io.imgedge.proxy.url.ProcessingRequest;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.proxy.url.Source;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.ImageInfo;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;

import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The image path, as one short chain of steps, each a type of its own:
 * {@link ParsedUrls} (parse, verify, source policy, variant by {@code Accept}) → result cache
 * (memory, then disk) → {@link ServeDecision} (fresh, stale while revalidating, refetch, miss) →
 * {@link MissAdmission} (per-client misses) → {@link Transforms} (one transform per result in
 * flight) → {@link Originals} (source cache, one fetch per source) → {@link Replies}. Metrics
 * come from {@link ImageEvents}. Never blocks the caller; failures arrive as {@link HttpError}s
 * or exceptions {@link ErrorMapper} knows. Thread-safe.
 */
public final class ImageService {
    private static final HttpError EXPIRED = HttpError.forbidden("URL expired");

    private final boolean clientHints;
    private final boolean rasterizeSvg;
    private final Set<ImageFormat> skipFormats;
    private final ParsedUrls urls;
    private final TieredCache results;
    private final Transforms transforms;
    private final Originals originals;
    private final Replies replies;
    private final Purges purges;
    private final WorkerPool workers;
    private final Vips vips;
    private final Duration staleWindow;
    private final InstantSource clock;
    private final ImageEvents events;

    public ImageService(ProcessingUrlParser parser, Origins origins, WorkerPool workers, Vips vips, LimitsConfig limits,
                        ProcessingConfig processing, CacheConfig cache, TieredCache results, TieredCache sources,
                        InstantSource clock, ImageEvents events, Optional<WatermarkImage> watermark) {
        PurgeLog purgeLog = new PurgeLog(Duration.ofHours(1), clock);
        Specs specs = new Specs(processing, watermark);
        this.urls = new ParsedUrls(parser, origins, specs, new FormatNegotiation(processing.autoFormats(),
                processing.enforceFormats()));
        this.results = results;
        this.originals = new Originals(origins, sources, workers, vips, limits, cache, purgeLog, clock, events);
        this.transforms = new Transforms(originals, workers, vips, specs, limits, results, purgeLog, cache.negativeTtl(),
                clock, events);
        this.replies = new Replies(results, processing.maxAge(), processing.passthrough(), clock,
                processing.urls().clientHints());
        this.clientHints = processing.urls().clientHints();
        this.rasterizeSvg = processing.rasterizeSvg();
        this.skipFormats = processing.skipFormats();
        this.purges = new Purges(urls, results, transforms, originals, purgeLog);
        this.workers = workers;
        this.vips = vips;
        this.staleWindow = cache.staleIfError();
        this.clock = clock;
        this.events = events;
    }

    /**
     * The image an imgproxy processing path names, for a client whose {@code Accept} header may
     * choose the format, admitted by {@code admission} when it misses, waiting as {@code waiting} says.
     */
    public CompletableFuture<ImageReply> process(String rawPath, String accept, ClientHints hints, MissAdmission admission,
                                                 Waiting waiting) {
        ClientHints read = clientHints ? hints : ClientHints.NONE;
        return process(() -> urls.variant(rawPath, accept, read), admission, waiting);
    }

    /** As {@link #process(String, String, MissAdmission, Waiting)} for a request made some other way (Hive), parsed once per {@code id}. */
    public CompletableFuture<ImageReply> process(String id, Supplier<ProcessingRequest> parse, MissAdmission admission,
                                                 Waiting waiting) {
        return process(() -> urls.variant(id, parse), admission, waiting);
    }

    private CompletableFuture<ImageReply> process(Supplier<Variant> parse, MissAdmission admission, Waiting waiting) {
        Variant v;
        try {
            v = parse.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (replies.expired(v.request())) {
            return CompletableFuture.failedFuture(EXPIRED);
        }
        if (v.request().options().adjust().raw()) {
            return raw(v.request());
        }
        CachedImage hot = results.inMemory(v.key()); // a memory hit is answered on the spot, without a future chain
        if (hot != null) {
            return served(v, hot, TieredCache.Tier.MEMORY, ServerTiming.INSTANT, admission, waiting);
        }
        long start = System.nanoTime();
        return results.onDisk(v.key()).thenCompose(hit -> served(v, hit.map(TieredCache.Hit::entry).orElse(null),
                TieredCache.Tier.DISK, start, admission, waiting));
    }

    /** The answer once the cache has been asked ({@code entry} null on a miss). */
    private CompletableFuture<ImageReply> served(Variant v, CachedImage entry, TieredCache.Tier tier, long start,
                                                 MissAdmission admission, Waiting waiting) {
        return switch (ServeDecision.of(entry, clock, staleWindow)) {
            case ServeDecision.Fresh fresh -> CompletableFuture.completedFuture(replies.hit(v, fresh.entry(), tier, start));
            case ServeDecision.Revalidate stale -> {
                events.servedStale();
                transforms.refresh(v);
                yield CompletableFuture.completedFuture(replies.stale(v, stale.entry(), start));
            }
            case ServeDecision.Refetch old -> made(v, admission, waiting).exceptionallyCompose(failure ->
                    ErrorMapper.unwrap(failure) instanceof CircuitOpenException // the origin is down: any age will do
                            ? CompletableFuture.completedFuture(replies.stale(v, old.fallback(), start))
                            : CompletableFuture.failedFuture(failure));
            case ServeDecision.Miss _ -> made(v, admission, waiting);
        };
    }

    /**
     * A miss: made, unless the source is served as it is: an SVG source asked for as SVG, or with
     * no format when SVGs are not drawn (imgproxy's shouldSkipStandardProcessing), or a source in
     * a format processing is skipped for (configured, or the URL's {@code skp}) when the URL names
     * no other format.
     */
    private CompletableFuture<ImageReply> made(Variant v, MissAdmission admission, Waiting waiting) {
        Set<ImageFormat> skip = skipped(v.request().options().adjust().skip());
        Optional<ImageFormat> asked = v.request().options().format();
        boolean svgAsked = asked.filter(f -> f == ImageFormat.SVG).isPresent();
        boolean svgPassed = svgAsked || asked.isEmpty() && !rasterizeSvg;
        if (skip.isEmpty() && !svgPassed) {
            return transformed(v, admission, waiting);
        }
        Source source = v.request().source();
        return originals.get(source).thenCompose(entry -> {
            boolean svg = Originals.isSvg(entry);
            if (svgPassed && svg) {
                return raw(v.request());
            }
            if (svgAsked) {
                throw HttpError.unprocessable("format: an svg result is only made of an SVG source");
            }
            return skip.isEmpty() ? transformed(v, admission, waiting) : originals.decodable(entry, source)
                    .thenCompose(format -> skip.contains(format) && asked.map(format::equals).orElse(true) ? raw(v.request())
                            : transformed(v, admission, waiting));
        });
    }

    private Set<ImageFormat> skipped(Set<ImageFormat> fromUrl) {
        if (fromUrl.isEmpty()) {
            return skipFormats;
        }
        Set<ImageFormat> all = EnumSet.copyOf(fromUrl);
        all.addAll(skipFormats);
        return all;
    }

    private CompletableFuture<ImageReply> transformed(Variant v, MissAdmission admission, Waiting waiting) {
        return admission.admit().thenCompose(done -> transforms.make(v, waiting).whenComplete((_, _) -> done.run()))
                .thenApply(made -> replies.miss(v, made));
    }

    /**
     * The source's own bytes (imgproxy's {@code raw}), once libvips has decoded them whole as an
     * image: never arbitrary content under an image URL, nor a body cut short.
     */
    private CompletableFuture<ImageReply> raw(ProcessingRequest request) {
        long start = System.nanoTime();
        CompletableFuture<CachedImage> original = originals.get(request.source());
        boolean fresh = !original.isDone() || original.isCompletedExceptionally();
        return original.thenCompose(entry -> originals.decodable(entry, request.source())
                .thenApply(format -> replies.raw(request, entry, format, fresh, start)));
    }

    /**
     * What the source of a processing path is (format, size, frames, orientation), read from its
     * header on a worker. Fails like {@link #process}.
     */
    public CompletableFuture<ImageInfo> info(String rawPath) {
        ProcessingRequest request;
        try {
            request = urls.request(rawPath);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (replies.expired(request)) {
            return CompletableFuture.failedFuture(EXPIRED);
        }
        return originals.get(request.source()).thenCompose(original ->
                workers.submit(() -> vips.probe(original.payload().duplicate())));
    }

    /** An original as a cache entry, through the source cache (for {@code /i/}). */
    public CompletableFuture<CachedImage> original(Source source) {
        return originals.get(source);
    }

    /** Forgets every parsed URL: after a reload of presets or of the source policy. */
    public void forgetParsedUrls() {
        urls.forget();
    }

    /**
     * Removes the result of one processing URL from every tier; a transform already running for
     * it will not put it back.
     *
     * @return entries removed. Blocking (disk): call off the event loop.
     */
    public int purgeUrl(String rawPath) {
        return purges.url(rawPath);
    }

    /**
     * Removes every result made from {@code sourceUrl}, and the cached original, from every tier.
     *
     * @return entries removed. Blocking (disk): call off the event loop.
     */
    public int purgeSource(String sourceUrl) {
        return purges.source(sourceUrl);
    }
}
