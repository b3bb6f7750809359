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
     * @param layout        device pixel ratio, zoom, minimum sizes, gravity offsets, padding, flips
     * @param stripMetadata empty = the configured default
     * @param effects       rotation, blur, sharpening, background, EXIF auto-rotation, crop, extend
     * @param expires       epoch seconds after which the URL is refused ({@code exp:0} and negative
     *                      times are long past: refused); {@link #NEVER} without {@code exp}
     * @param raw           serve the source's bytes unprocessed
     * @param cachebuster   imgproxy's {@code cb}: changes nothing in the image, but a new value is a
     *                      new result to every cache, this one included; "" = none
     * @param delivery      how the answer presents the image (file name, attachment)
     */
    public record Adjustments(TransformSpec.Layout layout, Optional<Boolean> stripMetadata, TransformSpec.Effects effects,
                              long expires, boolean raw, String cachebuster, Delivery delivery) {
        /** {@link #expires()} of a URL without {@code exp}. */
        public static final long NEVER = Long.MAX_VALUE;
        public static final Adjustments NONE = new Adjustments(TransformSpec.Layout.NONE, Optional.empty(),
                TransformSpec.Effects.NONE, NEVER, false, "", Delivery.INLINE);

        public Adjustments {
            Objects.requireNonNull(layout, "layout");
            Objects.requireNonNull(stripMetadata, "stripMetadata");
            Objects.requireNonNull(effects, "effects");
            Objects.requireNonNull(cachebuster, "cachebuster");
            Objects.requireNonNull(delivery, "delivery");
        }
    }

    /**
     * imgproxy's {@code fn} and {@code att}: the answer's Content-Disposition.
     *
     * @param filename   the name without extension (the output format's is added); empty = the source's
     * @param attachment {@code attachment} rather than {@code inline}
     */
    public record Delivery(Optional<String> filename, boolean attachment) {
        public static final Delivery INLINE = new Delivery(Optional.empty(), false);

        public Delivery {
            Objects.requireNonNull(filename, "filename");
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
