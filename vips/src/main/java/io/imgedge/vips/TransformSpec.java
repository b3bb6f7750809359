package io.imgedge.vips;

import java.util.Objects;
import java.util.Optional;

/**
 * One transform: resize into a box, optionally crop, encode.
 *
 * @param width   target width, 0 = derive from height (both 0 = keep size)
 * @param height  target height, 0 = derive from width
 * @param enlarge whether the result may be larger than the source
 * @param format  output format; empty = the source's, or JPEG when that cannot be written
 * @param quality encoder quality 1..100 for lossy formats
 */
public record TransformSpec(int width, int height, Fit fit, Gravity gravity, boolean enlarge,
                            Optional<ImageFormat> format, int quality, boolean stripMetadata) {

    /** How the source maps onto the target box. */
    public enum Fit {
        /** Keep aspect ratio, fit inside the box. */
        FIT,
        /** Keep aspect ratio, cover the box, crop what sticks out. */
        FILL,
        /** Stretch to exactly the box. */
        FORCE
    }

    /** Which part survives a {@link Fit#FILL} crop. */
    public enum Gravity {
        CENTRE,
        /** libvips attention: the most salient region. */
        SMART
    }

    public TransformSpec {
        Objects.requireNonNull(fit, "fit");
        Objects.requireNonNull(gravity, "gravity");
        Objects.requireNonNull(format, "format");
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("width and height must be >= 0");
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be 1..100");
        }
        if (format.isPresent() && !format.get().writable()) {
            throw new IllegalArgumentException("cannot write " + format.get());
        }
    }
}
