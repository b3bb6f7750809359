package io.imgedge.proxy.url;

import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.TransformSpec.Gravity;

import java.util.Objects;
import java.util.Optional;

/**
 * What a processing URL asks for, with imgproxy's defaults filled in.
 *
 * @param quality 0 = the configured default
 * @param format  empty = the source's format
 */
public record ProcessingOptions(ResizingType resizingType, int width, int height, boolean enlarge, Gravity gravity,
                                int quality, Optional<ImageFormat> format, Adjustments adjust) {
    public static final ProcessingOptions DEFAULTS =
            new ProcessingOptions(ResizingType.FIT, 0, 0, false, Gravity.CENTRE, 0, Optional.empty());

    /** Options with no adjustments. */
    public ProcessingOptions(ResizingType resizingType, int width, int height, boolean enlarge, Gravity gravity,
                             int quality, Optional<ImageFormat> format) {
        this(resizingType, width, height, enlarge, gravity, quality, format, Adjustments.NONE);
    }

    /**
     * What imgproxy's other options ask for.
     *
     * @param dpr           device pixel ratio: the sizes are multiplied by it
     * @param stripMetadata empty = the configured default
     * @param effects       rotation, blur, sharpening, background, EXIF auto-rotation
     * @param expires       epoch seconds after which the URL is refused ({@code exp:0} and negative
     *                      times are long past: refused); {@link #NEVER} without {@code exp}
     * @param raw           serve the source's bytes unprocessed
     * @param cachebuster   imgproxy's {@code cb}: changes nothing in the image, but a new value is a
     *                      new result to every cache, this one included; "" = none
     */
    public record Adjustments(double dpr, Optional<Boolean> stripMetadata, TransformSpec.Effects effects, long expires,
                              boolean raw, String cachebuster) {
        /** {@link #expires()} of a URL without {@code exp}. */
        public static final long NEVER = Long.MAX_VALUE;
        public static final Adjustments NONE = new Adjustments(1, Optional.empty(), TransformSpec.Effects.NONE, NEVER, false, "");

        public Adjustments {
            if (!(dpr > 0)) {
                throw new IllegalArgumentException("dpr must be > 0");
            }
            Objects.requireNonNull(stripMetadata, "stripMetadata");
            Objects.requireNonNull(effects, "effects");
            Objects.requireNonNull(cachebuster, "cachebuster");
        }
    }

    public ProcessingOptions {
        Objects.requireNonNull(resizingType, "resizingType");
        Objects.requireNonNull(gravity, "gravity");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(adjust, "adjust");
        if (width < 0 || height < 0 || quality < 0 || quality > 100) {
            throw new IllegalArgumentException("size and quality out of range");
        }
    }

    public ProcessingOptions withFormat(ImageFormat output) {
        return new ProcessingOptions(resizingType, width, height, enlarge, gravity, quality, Optional.of(output), adjust);
    }
}
