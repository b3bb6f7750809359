package io.imgedge.vips;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * One transform, in imgproxy's terms: resize into a box, with crops before and after, effects,
 * extension and padding, then encode.
 *
 * @param width   target width, 0 = derive from height (both 0 = keep size)
 * @param height  target height, 0 = derive from width
 * @param enlarge whether the result may be larger than the source
 * @param format  output format; empty = the source's, or JPEG when that cannot be written
 * @param quality encoder quality 1..100 for lossy formats
 * @param effects what happens besides the resize
 * @param layout  imgproxy's finer geometry: device pixel ratio, zoom, minimum sizes, offsets, padding
 */
public record TransformSpec(int width, int height, Fit fit, Gravity gravity, boolean enlarge,
                            Optional<ImageFormat> format, int quality, boolean stripMetadata, Effects effects,
                            Layout layout) {

    /** A transform with the plain layout. */
    public TransformSpec(int width, int height, Fit fit, Gravity gravity, boolean enlarge, Optional<ImageFormat> format,
                         int quality, boolean stripMetadata, Effects effects) {
        this(width, height, fit, gravity, enlarge, format, quality, stripMetadata, effects, Layout.NONE);
    }

    /** This transform at another encoder quality. */
    public TransformSpec withQuality(int newQuality) {
        return new TransformSpec(width, height, fit, gravity, enlarge, format, newQuality, stripMetadata, effects, layout);
    }

    /** This transform with another layout. */
    public TransformSpec withLayout(TransformSpec.Layout newLayout) {
        return new TransformSpec(width, height, fit, gravity, enlarge, format, quality, stripMetadata, effects, newLayout);
    }

    /** A transform with no effects beyond resizing. */
    public TransformSpec(int width, int height, Fit fit, Gravity gravity, boolean enlarge, Optional<ImageFormat> format,
                         int quality, boolean stripMetadata) {
        this(width, height, fit, gravity, enlarge, format, quality, stripMetadata, Effects.NONE);
    }

    /** The main gravity with its offsets (or focus point): where the crop to the result is taken. */
    public Anchor anchor() {
        return new Anchor(gravity, layout.gravityX(), layout.gravityY());
    }

    /**
     * @param autoRotate apply the EXIF orientation (then drop it)
     * @param rotate     clockwise degrees: 0, 90, 180 or 270; sizes are those of the turned image
     * @param blur       Gaussian blur sigma, 0 = none
     * @param sharpen    sharpening sigma, 0 = none
     * @param background colour to flatten transparency onto (also for formats with alpha), or
     *                   empty: white, and only where the format has no alpha
     * @param crop       a part of the source to keep before resizing
     * @param extend     grow a result smaller than the box to the box, placed here, on the
     *                   background (transparent where the image has alpha and no background is set)
     */
    public record Effects(boolean autoRotate, int rotate, double blur, double sharpen, Optional<Rgb> background,
                          Optional<Crop> crop, Optional<Anchor> extend) {
        public static final Effects NONE = new Effects(true, 0, 0, 0, Optional.empty());

        /** Effects without crop or extend. */
        public Effects(boolean autoRotate, int rotate, double blur, double sharpen, Optional<Rgb> background) {
            this(autoRotate, rotate, blur, sharpen, background, Optional.empty(), Optional.empty());
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
        }
    }

    /**
     * imgproxy's geometry beyond the box.
     *
     * @param dpr               device pixel ratio: sizes, offsets and padding are multiplied by it
     *                          (never past the source's size unless enlarging)
     * @param zoomWidth         a factor on the width after the resize (imgproxy's {@code zoom})
     * @param zoomHeight        a factor on the height after the resize
     * @param minWidth          the result is at least this wide (0 = none), enlarging if it must
     * @param minHeight         the result is at least this high (0 = none)
     * @param gravityX          the main gravity's x offset (pixels from 1 up, else a fraction of the
     *                          width), or the focus point's x (0..1) for {@link Gravity#FOCUS}
     * @param gravityY          as {@code gravityX}, down
     * @param extendAspectRatio grow the result to the box's aspect ratio, placed here
     * @param padding           pixels added around the result, on the background
     * @param flipX             mirror left to right (after the rotation)
     * @param flipY             mirror top to bottom
     * @param pixelate          pixel block size, 0 or 1 = none
     * @param maxResultSide     a URL's own bound on the result's sides (imgproxy's {@code mrd}), 0 = none
     * @param maxBytes          imgproxy's {@code max_bytes}: a lossy result larger than this is encoded again
     *                          at lower qualities until it fits (or the quality cannot go lower), 0 = none
     * @param trim              imgproxy's {@code trim}: the border of the background's colour cut off first
     * @param watermark         imgproxy's {@code watermark}: an image laid over the result, last
     */
    public record Layout(double dpr, double zoomWidth, double zoomHeight, int minWidth, int minHeight, double gravityX,
                         double gravityY, Optional<Anchor> extendAspectRatio, Padding padding, boolean flipX, boolean flipY,
                         int pixelate, int maxResultSide, int maxBytes, Optional<Trim> trim, Optional<Watermark> watermark) {
        public static final Layout NONE = new Layout(1, 1, 1, 0, 0, 0, 0, Optional.empty(), Padding.NONE, false, false, 0, 0);

        /** A layout without a byte budget. */
        public Layout(double dpr, double zoomWidth, double zoomHeight, int minWidth, int minHeight, double gravityX,
                      double gravityY, Optional<Anchor> extendAspectRatio, Padding padding, boolean flipX, boolean flipY,
                      int pixelate, int maxResultSide) {
            this(dpr, zoomWidth, zoomHeight, minWidth, minHeight, gravityX, gravityY, extendAspectRatio, padding, flipX, flipY,
                    pixelate, maxResultSide, 0, Optional.empty(), Optional.empty());
        }

        public Layout {
            if (!(dpr > 0) || !(zoomWidth > 0) || !(zoomHeight > 0) || Double.isInfinite(dpr * zoomWidth * zoomHeight)) {
                throw new IllegalArgumentException("dpr and zoom must be positive");
            }
            if (minWidth < 0 || minHeight < 0 || pixelate < 0 || maxResultSide < 0 || maxBytes < 0) {
                throw new IllegalArgumentException("minimum sizes, pixelate and the result bound are >= 0");
            }
            if (!Double.isFinite(gravityX) || !Double.isFinite(gravityY)) {
                throw new IllegalArgumentException("gravity offsets must be finite");
            }
            Objects.requireNonNull(extendAspectRatio, "extendAspectRatio");
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(trim, "trim");
            Objects.requireNonNull(watermark, "watermark");
        }

        /** This layout with a watermark. */
        public Layout withWatermark(Optional<Watermark> newWatermark) {
            return new Layout(dpr, zoomWidth, zoomHeight, minWidth, minHeight, gravityX, gravityY, extendAspectRatio,
                    padding, flipX, flipY, pixelate, maxResultSide, maxBytes, trim, newWatermark);
        }

        /** This layout with another device pixel ratio. */
        public Layout withDpr(double newDpr) {
            return new Layout(newDpr, zoomWidth, zoomHeight, minWidth, minHeight, gravityX, gravityY, extendAspectRatio,
                    padding, flipX, flipY, pixelate, maxResultSide, maxBytes, trim, watermark);
        }
    }

    /**
     * imgproxy's {@code trim}: what differs from the background by less than {@code threshold} is
     * cut from the edges.
     *
     * @param colour   the background; empty = the top-left pixel's
     * @param equalHor cut as much from the left as from the right (the smaller of the two)
     * @param equalVer cut as much from the top as from the bottom
     */
    public record Trim(double threshold, Optional<Rgb> colour, boolean equalHor, boolean equalVer) {
        public Trim {
            if (!(threshold >= 0) || Double.isInfinite(threshold)) {
                throw new IllegalArgumentException("the trim threshold is >= 0");
            }
            Objects.requireNonNull(colour, "colour");
        }
    }

    /**
     * imgproxy's {@code watermark}.
     *
     * @param image     the watermark's encoded bytes (read-only, shared by every transform)
     * @param id        what names this image in cache keys (a digest of it)
     * @param opacity   0..1, times the image's own alpha
     * @param position  where it goes, with offsets (pixels from 1 up, times the device pixel
     *                  ratio; a fraction below 1); with {@code replicate}, the offsets space the tiles
     * @param replicate tile it over the whole result (imgproxy's {@code re})
     * @param scale     its size as a fraction of the result's (fitted, enlarging if need be); 0 = its own
     */
    public record Watermark(ByteBuffer image, String id, double opacity, Anchor position, boolean replicate, double scale) {
        public Watermark {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(position, "position");
            if (!(opacity > 0 && opacity <= 1) || !(scale >= 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("watermark opacity is 0..1 (above 0), scale >= 0");
            }
        }
    }

    /** Pixels added on each side (times the device pixel ratio). */
    public record Padding(int top, int right, int bottom, int left) {
        public static final Padding NONE = new Padding(0, 0, 0, 0);

        public Padding {
            if ((top | right | bottom | left) < 0) {
                throw new IllegalArgumentException("padding is >= 0");
            }
        }
    }

    /**
     * A gravity with its offsets: for a direction or the centre, pixels inwards (from 1 up) or a
     * fraction of the size (below 1); for {@link Gravity#FOCUS}, the point as fractions (0..1).
     */
    public record Anchor(Gravity type, double x, double y) {
        public Anchor {
            Objects.requireNonNull(type, "type");
            if (!Double.isFinite(x) || !Double.isFinite(y) || type == Gravity.FOCUS && !(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
                throw new IllegalArgumentException("offsets must be finite, a focus point 0..1");
            }
        }

        public static Anchor of(Gravity type) {
            return new Anchor(type, 0, 0);
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

    /** Which part survives a crop (or where an extended image sits). */
    public enum Gravity {
        CENTRE,
        /** libvips attention: the most salient region (centre where that cannot apply). */
        SMART,
        NORTH, EAST, SOUTH, WEST, NORTH_EAST, SOUTH_EAST, SOUTH_WEST, NORTH_WEST,
        /** Centred on the focus point ({@link Layout#gravityX()}, {@link Layout#gravityY()}) as far as the image allows. */
        FOCUS
    }

    /**
     * A part of the source cut out before the resize, as imgproxy's {@code crop}: sizes are of the
     * image as turned by the rotation.
     *
     * @param width  pixels from 1 up, a fraction of the width below 1, or 0 for the whole width
     * @param height as {@code width}, of the height
     * @param anchor where the part is taken; empty = the main gravity
     */
    public record Crop(double width, double height, Optional<Anchor> anchor) {
        public Crop {
            if (!(width >= 0) || !(height >= 0) || Double.isInfinite(width) || Double.isInfinite(height)) {
                throw new IllegalArgumentException("crop sizes must be >= 0");
            }
            Objects.requireNonNull(anchor, "anchor");
        }

        public Crop(double width, double height, Gravity gravity) {
            this(width, height, Optional.of(Anchor.of(gravity)));
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
        Objects.requireNonNull(layout, "layout");
    }
}
