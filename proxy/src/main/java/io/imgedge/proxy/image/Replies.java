package io.imgedge.proxy.image;

import io.imgedge.proxy.cache.CachedImage;
import io.imgedge.proxy.cache.OriginHeaders;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.url.ClientHints;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.ProcessingRequest;
import io.imgedge.vips.ImageFormat;

import java.time.Duration;
import java.util.Arrays;
import java.time.InstantSource;
import java.util.zip.CRC32C;

/**
 * The replies of the image path: a hit, a stale copy, a result just made, a source's own bytes;
 * each cacheable for the configured max-age (or as long as its origin said, when passed on) but
 * never past its URL's expiry, and dated by its origin's Last-Modified when that is passed on.
 * Thread-safe.
 */
final class Replies {
    private final TieredCache results;
    private final Duration maxAge;
    private final String maxAgeHeader;
    private final ProcessingConfig.Passthrough passthrough;
    private final InstantSource clock;
    private final String varyByFormat;
    private final String varyOtherwise;

    /** @param hints whether client hints are read: then every answer varies by them */
    Replies(TieredCache results, Duration maxAge, ProcessingConfig.Passthrough passthrough, InstantSource clock,
            boolean hints) {
        this.results = results;
        this.maxAge = maxAge;
        this.maxAgeHeader = publicFor(maxAge.toSeconds());
        this.passthrough = passthrough;
        this.clock = clock;
        this.varyByFormat = hints ? ImageReply.VARY_ACCEPT + ", " + ClientHints.VARY : ImageReply.VARY_ACCEPT;
        this.varyOtherwise = hints ? ClientHints.VARY : "";
    }

    /** A cached result: fresh from {@code tier}, looked up since {@code start} ({@link ServerTiming#lookup}). */
    ImageReply hit(Variant v, CachedImage entry, TieredCache.Tier tier, long start) {
        return reply(v, entry, tier.header(), ServerTiming.lookup(start), 0);
    }

    /** A cached result past its time: served while it is made again, or while its origin is down. */
    ImageReply stale(Variant v, CachedImage entry, long start) {
        return reply(v, entry, "stale", ServerTiming.lookup(start), 0);
    }

    /** A result just made: {@code X-Cache: miss}, or {@code collapsed} for a request that joined another's making. */
    ImageReply miss(Variant v, Transforms.Made made) {
        return reply(v, made.entry(), made.collapsed() ? "collapsed" : "miss",
                ServerTiming.made(made.fetchNanos(), made.transformNanos()),
                made.fetched() ? 200 : 0);
    }

    /**
     * A source's own bytes ({@code raw}), in the format libvips decoded them as; {@code fresh}
     * when they were fetched for this request (since {@code start}), else from the source cache.
     */
    ImageReply raw(ProcessingRequest request, CachedImage original, ImageFormat format, boolean fresh, long start) {
        CRC32C crc = new CRC32C();
        crc.update(original.payload().duplicate());
        String etag = "W/\"" + Long.toHexString(crc.getValue()) + "-" + Integer.toHexString(original.size()) + "\"";
        return new ImageReply(original.payload(), format.mimeType(), etag, cacheControl(request, original.origin()),
                lastModified(original.origin()), fresh ? "miss" : "hit-memory",
                fresh ? ServerTiming.fetchedSince(start) : ServerTiming.lookup(start), varyOtherwise, fresh ? 200 : 0,
                ImageReply.File.NONE, disposition(request, format.mimeType()));
    }

    /** Whether the URL's {@code exp} time has passed (0 and negative times have long passed). */
    boolean expired(ProcessingRequest request) {
        long expires = request.options().adjust().expires();
        return expires != ProcessingOptions.Adjustments.NEVER && clock.millis() / 1000 > expires;
    }

    private ImageReply reply(Variant v, CachedImage entry, String cacheStatus, String timing, int originStatus) {
        return new ImageReply(entry.payload(), entry.contentType(), entry.etag(), cacheControl(v.request(), entry.origin()),
                lastModified(entry.origin()), cacheStatus, timing,
                v.varyAccept() ? varyByFormat : varyOtherwise, originStatus, () -> results.file(v.key(), entry.etag(), entry.size()),
                disposition(v.request(), entry.contentType()));
    }

    /** The Content-Disposition {@code fn} and {@code att} ask for, or none. */
    private static String disposition(ProcessingRequest request, String contentType) {
        ProcessingOptions.Delivery delivery = request.options().adjust().delivery();
        if (delivery.equals(ProcessingOptions.Delivery.INLINE)) {
            return Disposition.NONE;
        }
        String extension = Arrays.stream(ImageFormat.values()).filter(f -> f.mimeType().equals(contentType)).findFirst()
                .map(ImageFormat::extension).orElse("img");
        return Disposition.of(delivery, request.source(), extension);
    }

    /**
     * How long a response may be cached: the configured max-age, but never past the URL's expiry;
     * for a URL with no expiry what its origin said instead, when that is passed on and it said
     * something (its Cache-Control as it is, else the time to its Expires).
     */
    private String cacheControl(ProcessingRequest request, OriginHeaders origin) {
        long expires = request.options().adjust().expires();
        if (expires == ProcessingOptions.Adjustments.NEVER) {
            if (passthrough.cacheControl() && !origin.cacheControl().isEmpty()) {
                return origin.cacheControl();
            }
            if (passthrough.cacheControl() && origin.expires() != OriginHeaders.UNKNOWN) {
                return publicFor(Math.max(0, (origin.expires() - clock.millis()) / 1000));
            }
            return maxAgeHeader;
        }
        long left = Math.max(0, expires - clock.millis() / 1000);
        return left >= maxAge.toSeconds() ? maxAgeHeader : publicFor(left);
    }

    /** The origin's Last-Modified, but not before the buster, when passed on; else none. */
    private long lastModified(OriginHeaders origin) {
        if (!passthrough.lastModified() || origin.lastModified() == OriginHeaders.UNKNOWN) {
            return OriginHeaders.UNKNOWN;
        }
        return Math.max(origin.lastModified(), passthrough.lastModifiedBuster());
    }

    private static String publicFor(long seconds) {
        return "public, max-age=" + seconds;
    }
}
