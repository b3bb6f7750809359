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
 * @param effects what happens after the resize
 */
public record TransformSpec(int width, int height, Fit fit, Gravity gravity, boolean enlarge,
                            Optional<ImageFormat> format, int quality, boolean stripMetadata, Effects effects) {

    /** This transform at another encoder quality. */
    public TransformSpec withQuality(int newQuality) {
        return new TransformSpec(width, height, fit, gravity, enlarge, format, newQuality, stripMetadata, effects);
    }

    /** A transform with no effects beyond resizing. */
    public TransformSpec(int width, int height, Fit fit, Gravity gravity, boolean enlarge, Optional<ImageFormat> format,
                         int quality, boolean stripMetadata) {
        this(width, height, fit, gravity, enlarge, format, quality, stripMetadata, Effects.NONE);
    }

    /**
     * @param autoRotate apply the EXIF orientation (then drop it)
     * @param rotate     clockwise degrees after the resize: 0, 90, 180 or 270; the box is the final one
     * @param blur       Gaussian blur sigma, 0 = none
     * @param sharpen    sharpening sigma, 0 = none
     * @param background colour to flatten transparency onto (also for formats with alpha), or
     *                   empty: white, and only where the format has no alpha
     * @param crop       a part of the source to keep before resizing
     * @param extend     grow a result smaller than the box to the box, placed by this gravity, on
     *                   the background (transparent where the image has alpha and no background is set)
     * @param focus      the point (fractions of width and height) {@link Gravity#FOCUS} centres on
     */
    public record Effects(boolean autoRotate, int rotate, double blur, double sharpen, Optional<Rgb> background,
                          Optional<Crop> crop, Optional<Gravity> extend, Optional<Focus> focus) {

        /** Effects without a focus point. */
        public Effects(boolean autoRotate, int rotate, double blur, double sharpen, Optional<Rgb> background,
                       Optional<Crop> crop, Optional<Gravity> extend) {
            this(autoRotate, rotate, blur, sharpen, background, crop, extend, Optional.empty());
        }
        public static final Effects NONE = new Effects(true, 0, 0, 0, Optional.empty());

        /** Effects without crop or extend. */
        public Effects(boolean autoRotate, int rotate, double blur, double sharpen, Optional<Rgb> background) {
            this(autoRotate, rotate, blur, sharpen, background, Optional.empty(), Optional.empty(), Optional.empty());
        }

        public Effects {
            if (rotate % 90 != 0 || rotate < 0 || rotate >= 360) {
                throw new IllegalArgumentException("rotate must be 0, 90, 180 or 270");
            }
            if (blur < 0 || sharpen < 0) {
                throw new IllegalArgumentException("blur and sharpen must be >= 0");
            }
            Objects.requireNonNull(background, "background");
            Objects.requireNonNull(crop, "crop");
            Objects.requireNonNull(extend, "extend");
            Objects.requireNonNull(focus, "focus");
        }
    }

    /** A point as fractions (0..1) of the image's width and height, from the top left. */
    public record Focus(double x, double y) {
        public Focus {
            if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
                throw new IllegalArgumentException("focus point coordinates are 0..1");
            }
        }
    }

    /** An opaque colour, 0..255 per channel. */
    public record Rgb(int r, int g, int b) {
        public static final Rgb WHITE = new Rgb(255, 255, 255);

        public Rgb {
            if ((r | g | b) < 0 || r > 255 || g > 255 || b > 255) {
                throw new IllegalArgumentException("colour channels are 0..255");
            }
        }
    }

    /** How the source maps onto the target box. */
    public enum Fit {
        /** Keep aspect ratio, fit inside the box. */
        FIT,
        /** Keep aspect ratio, cover the box, crop what sticks out. */
        FILL,
        /** Stretch to exactly the box. */
        FORCE,
        /** {@link #FILL} when source and box are both portrait or both landscape, else {@link #FIT}. */
        AUTO,
        /** {@link #FILL}, but a source smaller than the box is cut to the box's aspect ratio instead of enlarged. */
        FILL_DOWN
    }

    /** Which part survives a {@link Fit#FILL} crop (or a {@link Crop}, or where an extended image sits). */
    public enum Gravity {
        CENTRE(0),
        /** libvips attention: the most salient region (centre where that cannot apply). */
        SMART(0),
        NORTH(1), EAST(2), SOUTH(3), WEST(4), NORTH_EAST(5), SOUTH_EAST(6), SOUTH_WEST(7), NORTH_WEST(8),
        /** Centred on {@link Effects#focus()} as far as the image allows. */
        FOCUS(0);

        /** libvips's VipsCompassDirection. */
        final int compass;

        Gravity(int compass) {
            this.compass = compass;
        }

        boolean direction() {
            return this != CENTRE && this != SMART;
        }

        /** Left offset of a part {@code part} wide in a whole {@code whole} wide. */
        int left(int whole, int part) {
            return switch (this) {
                case WEST, NORTH_WEST, SOUTH_WEST -> 0;
                case EAST, NORTH_EAST, SOUTH_EAST -> whole - part;
                default -> (whole - part) / 2;
            };
        }

        /** Top offset of a part {@code part} high in a whole {@code whole} high. */
        int top(int whole, int part) {
            return switch (this) {
                case NORTH, NORTH_EAST, NORTH_WEST -> 0;
                case SOUTH, SOUTH_EAST, SOUTH_WEST -> whole - part;
                default -> (whole - part) / 2;
            };
        }
    }

    /**
     * A part of the source cut out before the resize.
     *
     * @param width  pixels, or a fraction of the source width when at most 1
     * @param height pixels, or a fraction of the source height when at most 1
     */
    public record Crop(double width, double height, Gravity gravity) {
        public Crop {
            if (!(width > 0) || !(height > 0)) {
                throw new IllegalArgumentException("crop sizes must be > 0");
            }
            Objects.requireNonNull(gravity, "gravity");
        }

        int pixels(double size, int whole) {
            return (int) Math.max(1, Math.min(whole, size <= 1 ? Math.round(size * whole) : Math.round(size)));
        }
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
        Objects.requireNonNull(effects, "effects");
    }
}
