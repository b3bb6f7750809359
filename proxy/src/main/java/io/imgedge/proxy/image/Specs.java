package io.imgedge.proxy.image;

import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;

import java.util.Optional;

/**
 * What libvips is asked to make of a URL's options: the configured defaults filled in (quality,
 * per-format quality, metadata stripping); sizes, the device pixel ratio and the result limits
 * are worked out by libvips's side ({@code ResultGeometry}) from the source's header. Pure; thread-safe.
 */
final class Specs {
    private final ProcessingConfig processing;
    private final Optional<WatermarkImage> watermark;

    /** @param watermark the configured watermark image, for URLs with {@code wm} */
    Specs(ProcessingConfig processing, Optional<WatermarkImage> watermark) {
        this.processing = processing;
        this.watermark = watermark;
    }

    TransformSpec of(ProcessingOptions o) {
        TransformSpec.Fit fit = switch (o.resizingType()) {
            case FIT -> TransformSpec.Fit.FIT;
            case FILL -> TransformSpec.Fit.FILL;
            case FORCE -> TransformSpec.Fit.FORCE;
            case AUTO -> TransformSpec.Fit.AUTO;
            case FILL_DOWN -> TransformSpec.Fit.FILL_DOWN;
        };
        int quality = o.format().map(f -> quality(o, f)).orElse(o.quality() != 0 ? o.quality() : processing.quality());
        // an SVG result is the source passed through: what is drawn (for the negotiated or cached variants) is the default
        Optional<ImageFormat> format = o.format().filter(ImageFormat::writable);
        return new TransformSpec(o.width(), o.height(), fit, o.gravity(), o.enlarge(), format,
                quality, o.adjust().stripMetadata().orElse(processing.stripMetadata()), o.adjust().effects(), layout(o));
    }

    /** The URL's layout, with the watermark image when it asks for one and one is configured (else none, as in imgproxy). */
    private TransformSpec.Layout layout(ProcessingOptions o) {
        Optional<ProcessingOptions.Watermark> asked = o.adjust().watermark();
        if (asked.isEmpty() || watermark.isEmpty()) {
            return o.adjust().layout();
        }
        ProcessingOptions.Watermark wm = asked.get();
        WatermarkImage image = watermark.get();
        return o.adjust().layout().withWatermark(Optional.of(new TransformSpec.Watermark(image.image(), image.id(),
                wm.opacity() * image.opacity(), wm.position(), wm.replicate(), wm.scale())));
    }

    /**
     * Whether the quality waits for the source's format: the URL names no format, and the quality
     * depends on which one the output is (per-format qualities in the URL, or configured ones
     * where the URL sets no quality).
     */
    boolean deferredQuality(ProcessingOptions o) {
        return o.format().isEmpty() && (!o.adjust().formatQuality().isEmpty()
                || o.quality() == 0 && !processing.formatQuality().isEmpty());
    }

    /** The spec at the quality of {@code output}: for a spec whose quality was deferred. */
    TransformSpec forOutput(ProcessingOptions o, TransformSpec spec, ImageFormat output) {
        return spec.withQuality(quality(o, output));
    }

    /** imgproxy's order: the URL's {@code fq} for the format, its {@code q}, the configured quality for the format, the default. */
    private int quality(ProcessingOptions o, ImageFormat format) {
        Integer fromUrl = o.adjust().formatQuality().get(format);
        if (fromUrl != null && fromUrl > 0) {
            return fromUrl;
        }
        return o.quality() != 0 ? o.quality() : processing.formatQuality().getOrDefault(format, processing.quality());
    }
}
