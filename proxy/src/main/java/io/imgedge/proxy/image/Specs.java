package io.imgedge.proxy.image;

import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;

/**
 * What libvips is asked to make of a URL's options: the configured defaults filled in (quality,
 * per-format quality, metadata stripping); sizes, the device pixel ratio and the result limits
 * are worked out by libvips's side ({@code ResultGeometry}) from the source's header. Pure; thread-safe.
 */
final class Specs {
    private final ProcessingConfig processing;

    Specs(ProcessingConfig processing) {
        this.processing = processing;
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
        return new TransformSpec(o.width(), o.height(), fit, o.gravity(), o.enlarge(), o.format(),
                quality, o.adjust().stripMetadata().orElse(processing.stripMetadata()), o.adjust().effects(), o.adjust().layout());
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
}
