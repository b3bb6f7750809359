package io.imgedge.proxy.image;

import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;

/**
 * What libvips is asked to make of a URL's options: the configured defaults filled in (quality,
 * per-format quality, metadata stripping) and sizes times the device pixel ratio within the
 * result limit. Pure; thread-safe.
 */
final class Specs {
    private final ProcessingConfig processing;
    private final int maxResultSide;

    Specs(ProcessingConfig processing, int maxResultSide) {
        this.processing = processing;
        this.maxResultSide = maxResultSide;
    }

    TransformSpec of(ProcessingOptions o) {
        TransformSpec.Fit fit = switch (o.resizingType()) {
            case FIT -> TransformSpec.Fit.FIT;
            case FILL -> TransformSpec.Fit.FILL;
            case FORCE -> TransformSpec.Fit.FORCE;
            case AUTO -> TransformSpec.Fit.AUTO;
            case FILL_DOWN -> TransformSpec.Fit.FILL_DOWN;
        };
        int quality = o.quality() != 0 ? o.quality() : o.format().map(this::quality).orElse(processing.quality());
        double dpr = o.adjust().dpr();
        return new TransformSpec(scaled(o.width(), dpr), scaled(o.height(), dpr), fit, o.gravity(), o.enlarge(), o.format(),
                quality, o.adjust().stripMetadata().orElse(processing.stripMetadata()), o.adjust().effects());
    }

    /**
     * Whether the quality waits for the source's format: the URL sets neither quality nor format
     * and qualities per format are configured, so the output's format (the source's) decides.
     */
    boolean deferredQuality(ProcessingOptions o) {
        return o.quality() == 0 && o.format().isEmpty() && !processing.formatQuality().isEmpty();
    }

    /** The spec at the configured quality of {@code output}: for a spec whose quality was deferred. */
    TransformSpec forOutput(TransformSpec spec, ImageFormat output) {
        return spec.withQuality(quality(output));
    }

    private int quality(ImageFormat format) {
        return processing.formatQuality().getOrDefault(format, processing.quality());
    }

    /** A side times the device pixel ratio, within the result limit. */
    private int scaled(int side, double dpr) {
        return (int) Math.min(maxResultSide, Math.round(side * dpr));
    }
}
