package io.imgedge.proxy.image;

import io.imgedge.proxy.cache.CacheKey;
import io.imgedge.proxy.cache.CachedImage;
import io.imgedge.proxy.cache.OriginHeaders;
import io.imgedge.proxy.cache.SingleFlight;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.config.LimitsConfig;
import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.config.SigningConfig;
import io.imgedge.proxy.config.SourcesConfig;
import io.imgedge.proxy.config.TemplatesConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.limit.LimitStore;
import io.imgedge.proxy.origin.Origins;
import io.imgedge.proxy.template.Template;
import io.imgedge.proxy.template.TemplateRenderer;
import io.imgedge.proxy.template.TemplateRequest;
import io.imgedge.proxy.template.Templates;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.proxy.url.Source;
import io.imgedge.vips.Drawing;
import io.imgedge.vips.EncodedImage;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;

import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Template renderings ({@code /t/...}): the template in force, its data checked, the product
 * images fetched through the source cache under the source rules, the drawing made on a worker
 * once per template version, data and output (single-flight), and kept in the result cache.
 * Thread-safe.
 */
public final class TemplateImages {
    private final Templates templates;
    private final ImageService images;
    private final Origins origins;
    private final WorkerPool workers;
    private final Vips vips;
    private final TieredCache results;
    private final LimitsConfig limits;
    private final ProcessingConfig processing;
    private final InstantSource clock;
    private final String cacheControl;
    /** What a rendering is drawn as when processing options work on it next. */
    private static final TransformSpec LOSSLESS = new TransformSpec(0, 0, TransformSpec.Fit.FIT, TransformSpec.Gravity.CENTRE,
            false, Optional.of(ImageFormat.PNG), 100, true);
    private final SingleFlight<CacheKey, CachedImage> renders = new SingleFlight<>();
    private final TemplateThrottle throttle;
    private final FormatNegotiation negotiation;
    private final ImageEvents events;
    private final ProcessingUrlParser options;
    private final Specs specs;

    /** @param limitStore where the renders' throttles count (Redis when configured) */
    public TemplateImages(Templates templates, ImageService images, Origins origins, WorkerPool workers, Vips vips,
                          TieredCache results, LimitsConfig limits, ProcessingConfig processing, TemplatesConfig.Throttle throttle,
                          LimitStore limitStore, InstantSource clock, ImageEvents events) {
        this.throttle = new TemplateThrottle(limitStore, throttle, clock, events);
        this.events = events;
        this.negotiation = new FormatNegotiation(processing.autoFormats(), processing.enforceFormats());
        // the options after a template are read as imgproxy's; the URL's signature was checked already
        this.options = new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(false, List.of(), 32)),
                limits.maxResultSide(), processing.presets(), processing.urls(), SourcesConfig.Rewrite.NONE, vips.outputs());
        this.specs = new Specs(processing, Optional.empty());
        this.templates = templates;
        this.images = images;
        this.origins = origins;
        this.workers = workers;
        this.vips = vips;
        this.results = results;
        this.limits = limits;
        this.processing = processing;
        this.clock = clock;
        this.cacheControl = "public, max-age=" + processing.maxAge().toSeconds();
    }

    /**
     * The rendering a template URL asks for. Fails with an {@link HttpError}: 404 for an unknown
     * template, 400 for data it cannot be drawn with (naming the layer and field) or a source the
     * rules refuse, the origin's failure for a product image, 422 for one that cannot be decoded.
     */
    public CompletableFuture<ImageReply> render(TemplateRequest request, String accept) {
        long start = System.nanoTime();
        Template template;
        List<String> sources;
        try {
            template = templates.get(request.template())
                    .orElseThrow(() -> HttpError.notFound("no template " + request.template()));
            sources = TemplateRenderer.sources(template, request.data());
        } catch (TemplateRenderer.BadData e) {
            return CompletableFuture.failedFuture(HttpError.badRequest(e.getMessage()));
        } catch (HttpError e) {
            return CompletableFuture.failedFuture(e);
        }
        // as for processing URLs: Accept may choose among the configured formats when the URL names none
        Optional<ProcessingOptions> after;
        try {
            after = request.options().isEmpty() ? Optional.empty() : Optional.of(options.parse("/_/"
                    + String.join("/", request.options()) + "/plain/local:///rendering").options());
        } catch (HttpError e) {
            return CompletableFuture.failedFuture(e);
        }
        Optional<ImageFormat> named = request.format().or(() -> after.flatMap(ProcessingOptions::format));
        // as for processing URLs: Accept may choose among the configured formats when the URL names none
        Optional<ImageFormat> chosen = negotiation.choose(accept, named.isPresent());
        ImageFormat format = chosen.or(() -> named).orElse(template.background().alpha() < 1 ? ImageFormat.PNG : ImageFormat.JPEG);
        String vary = negotiation.candidates(named.isPresent()).isEmpty() ? "" : ImageReply.VARY_ACCEPT;
        int quality = processing.formatQuality().getOrDefault(format, processing.quality());
        TransformSpec output = after.map(o -> specs.of(o.withFormat(format))).orElse(new TransformSpec(0, 0,
                TransformSpec.Fit.FIT, TransformSpec.Gravity.CENTRE, false, Optional.of(format), quality, processing.stripMetadata()));
        CacheKey key = CacheKey.template(template.id(), template.version(), request.canonicalData()
                + "|" + String.join("/", request.options()), format, output.quality());
        return results.get(key).thenCompose(hit -> {
            if (hit.isPresent()) {
                return CompletableFuture.completedFuture(reply(key, hit.get().entry(), hit.get().tier().header(),
                        ServerTiming.lookup(start), vary));
            }
            // only what is not cached is throttled, once per rendering however many ask for it
            return renders.run(key, () -> throttle.admit(template.tenant()).thenCompose(release ->
                            draw(template, request, sources, output, after.isPresent(), key).whenComplete((_, _) -> release.run())))
                    .result()
                    .thenApply(entry -> reply(key, entry, "miss", ServerTiming.fetchedSince(start), vary));
        });
    }

    /** @param transformed whether {@code output} works on the rendering as on a source (processing options), else only encodes it */
    private CompletableFuture<CachedImage> draw(Template template, TemplateRequest request, List<String> sources,
                                                TransformSpec output, boolean transformed, CacheKey key) {
        Map<String, CompletableFuture<CachedImage>> fetches = new HashMap<>();
        for (String url : sources) {
            Source source = Source.parse(url);
            Optional<HttpError> refused = origins.refusal(source);
            if (refused.isPresent()) {
                return CompletableFuture.failedFuture(refused.get());
            }
            long fetchStart = System.nanoTime();
            fetches.put(url, images.original(source).whenComplete((_, _) ->
                    throttle.took(template.tenant(), "download", System.nanoTime() - fetchStart)));
        }
        long startedAt = clock.millis();
        return CompletableFuture.allOf(fetches.values().toArray(CompletableFuture[]::new)).thenCompose(_ -> {
            Map<String, ByteBuffer> bytes = new HashMap<>();
            fetches.forEach((url, fetched) -> bytes.put(url, fetched.join().payload().duplicate()));
            Drawing drawing;
            try {
                drawing = TemplateRenderer.drawing(template, request.data(), bytes);
            } catch (TemplateRenderer.BadData e) {
                throw HttpError.badRequest(e.getMessage());
            }
            return workers.submit(() -> {
                long drawStart = System.nanoTime();
                try {
                    if (!transformed) {
                        return vips.draw(drawing, output, limits.image());
                    }
                    // drawn losslessly, then resized, cropped and encoded as the options say
                    EncodedImage drawn = vips.draw(drawing, LOSSLESS, limits.image());
                    return vips.transform(drawn.bytes(), output, limits.image());
                } finally {
                    throttle.took(template.tenant(), "draw", System.nanoTime() - drawStart);
                }
            });
        }).whenComplete((_, failure) -> events.templateRendered(template.tenant(), failure == null ? "rendered" : "failed"))
                .thenApply(image -> {
                    CachedImage entry = new CachedImage(CachedImage.direct(image.bytes()), image.format().mimeType(),
                            Transforms.etag(image), startedAt, CachedImage.NEVER, CacheKey.templateRenderings(template.id()).hex());
                    results.put(key, entry, false, () -> true);
                    return entry;
                });
    }

    /** The templates in force. */
    public Templates templates() {
        return templates;
    }

    /** Drops every rendering of template {@code id} from every tier. Blocking (disk): call off the event loop. */
    public int purge(String id) {
        return results.removeSource(CacheKey.templateRenderings(id).hex());
    }

    private ImageReply reply(CacheKey key, CachedImage entry, String cacheStatus, String timing, String vary) {
        return new ImageReply(entry.payload(), entry.contentType(), entry.etag(), cacheControl,
                OriginHeaders.UNKNOWN, cacheStatus, timing, vary, 0,
                () -> results.file(key, entry.etag(), entry.size()), "");
    }
}
