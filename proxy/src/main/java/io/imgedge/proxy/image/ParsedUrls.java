package io.imgedge.proxy.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.imgedge.proxy.cache.CacheKey;
import io.imgedge.proxy.origin.Origins;
import io.imgedge.proxy.url.ClientHints;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.ProcessingRequest;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a URL means: parsed, its signature verified, its source asked of the policy in force
 * (before any cache: a source the policy refuses is not served from one either) and its
 * variants keyed, once per hot URL; then, per request, the variant its {@code Accept} header
 * chooses. Forgotten wholesale when presets or the source policy change. Thread-safe.
 */
final class ParsedUrls {
    /** Bytes of parsed paths kept (by path length plus a fixed allowance per entry). */
    private static final long PARSED_BYTES = 16L << 20;

    /**
     * What a path parses to.
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

    private final ProcessingUrlParser urls;
    private final Origins origins;
    private final Specs specs;
    private final FormatNegotiation negotiation;
    private final Cache<String, Parsed> parsed = Caffeine.newBuilder().maximumWeight(PARSED_BYTES).executor(Runnable::run)
            .weigher((String path, Parsed _) -> 2 * path.length() + 512).build();

    ParsedUrls(ProcessingUrlParser urls, Origins origins, Specs specs, FormatNegotiation negotiation) {
        this.urls = urls;
        this.origins = origins;
        this.specs = specs;
        this.negotiation = negotiation;
    }

    /**
     * The variant of an imgproxy processing path that {@code accept} chooses.
     *
     * @throws io.imgedge.proxy.error.HttpError for a bad URL, signature or refused source
     */
    Variant variant(String rawPath, String accept, ClientHints hints) {
        if (!hints.equals(ClientHints.NONE)) {
            // each hinted size is a URL of its own
            return choose(parsed(rawPath + "\u0000" + hints.dpr() + "x" + hints.width(), () -> urls.parse(rawPath, hints), true),
                    accept);
        }
        return choose(parsed(rawPath, () -> urls.parse(rawPath), true), accept);
    }

    /** The one variant of a request made some other way (the Hive dialect fixes its format), parsed once per {@code id}. */
    Variant variant(String id, Supplier<ProcessingRequest> parse) {
        return parsed("hive|" + id, parse, false).plain();
    }

    /** A processing path's request, parsed and checked like {@link #variant} but not kept (for {@code /info}). */
    ProcessingRequest request(String rawPath) {
        ProcessingRequest request = urls.parse(rawPath);
        refuseIfPolicySays(request);
        return request;
    }

    /** Every result key a processing path may be cached under (one per negotiable format). */
    List<CacheKey> keys(String rawPath) {
        return variants(urls.parse(rawPath), true).keys();
    }

    /** Forgets every parsed URL: after presets or the source policy changed. */
    void forget() {
        parsed.invalidateAll();
    }

    private Parsed parsed(String id, Supplier<ProcessingRequest> parse, boolean negotiable) {
        Parsed known = parsed.getIfPresent(id);
        if (known == null) {
            ProcessingRequest request = parse.get();
            refuseIfPolicySays(request);
            known = variants(request, negotiable);
            parsed.put(id, known);
        }
        return known;
    }

    private void refuseIfPolicySays(ProcessingRequest request) {
        origins.refusal(request.source()).ifPresent(refused -> {
            throw refused;
        });
    }

    private Variant choose(Parsed url, String accept) {
        if (!url.negotiated().isEmpty()) {
            Optional<ImageFormat> chosen = negotiation.choose(accept, url.request().options().format().isPresent());
            if (chosen.isPresent()) {
                return url.negotiated().get(chosen.get());
            }
        }
        return url.plain();
    }

    /** The variants of a request: as asked, and per negotiable format when it names none. */
    private Parsed variants(ProcessingRequest request, boolean negotiable) {
        TransformSpec spec = specs.of(request.options());
        // a URL's own lower limits make its result its own: a result made for a URL without them is not served to it
        ProcessingOptions.SourceLimits limits = request.options().adjust().sourceLimits();
        boolean svg = request.options().format().filter(f -> f == ImageFormat.SVG).isPresent();
        String buster = request.options().adjust().cachebuster()
                + (limits.equals(ProcessingOptions.SourceLimits.NONE) ? "" : "\u0000" + limits) + (svg ? "\u0000svg" : "");
        // an SVG asked for is the source as it is: no Accept changes that (imgproxy decides it before the format)
        List<ImageFormat> candidates = svg ? List.of() : negotiation.candidates(request.options().format().isPresent());
        boolean vary = negotiable && !candidates.isEmpty() && !request.options().adjust().raw();
        boolean deferred = specs.deferredQuality(request.options());
        Variant plain = new Variant(request, spec, deferred ? CacheKey.resultWithFormatQuality(request.source(), spec, buster,
                request.options().adjust().formatQuality())
                : CacheKey.result(request.source(), spec, buster), deferred, vary);
        Map<ImageFormat, Variant> negotiated = new EnumMap<>(ImageFormat.class);
        if (vary) {
            for (ImageFormat format : candidates) {
                TransformSpec chosen = specs.of(request.options().withFormat(format));
                negotiated.put(format, new Variant(request, chosen, CacheKey.result(request.source(), chosen, buster),
                        false, true));
            }
        }
        return new Parsed(request, plain, negotiated);
    }
}
