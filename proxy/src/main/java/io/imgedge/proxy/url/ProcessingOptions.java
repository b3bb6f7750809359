package io.imgedge.proxy.url;

import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.TransformSpec.Gravity;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
     * @param formatQuality imgproxy's {@code fq}: the quality of each output format, over {@code q}
     * @param skip          imgproxy's {@code skp}: sources in these formats are served as they are
     * @param sourceLimits  imgproxy's security options: lower limits for this URL's source
     * @param watermark     imgproxy's {@code wm}, laid with the configured watermark image
     */
    public record Adjustments(TransformSpec.Layout layout, Optional<Boolean> stripMetadata, TransformSpec.Effects effects,
                              long expires, boolean raw, String cachebuster, Delivery delivery,
                              Map<ImageFormat, Integer> formatQuality, Set<ImageFormat> skip, SourceLimits sourceLimits,
                              Optional<Watermark> watermark) {
        /** {@link #expires()} of a URL without {@code exp}. */
        public static final long NEVER = Long.MAX_VALUE;
        public static final Adjustments NONE = new Adjustments(TransformSpec.Layout.NONE, Optional.empty(),
                TransformSpec.Effects.NONE, NEVER, false, "", Delivery.INLINE, Map.of(), Set.of(), SourceLimits.NONE,
                Optional.empty());

        public Adjustments {
            formatQuality = Map.copyOf(formatQuality);
            skip = Set.copyOf(skip);
            Objects.requireNonNull(layout, "layout");
            Objects.requireNonNull(stripMetadata, "stripMetadata");
            Objects.requireNonNull(effects, "effects");
            Objects.requireNonNull(cachebuster, "cachebuster");
            Objects.requireNonNull(delivery, "delivery");
            Objects.requireNonNull(sourceLimits, "sourceLimits");
            Objects.requireNonNull(watermark, "watermark");
        }
    }

    /**
     * imgproxy's {@code wm:opacity:position:x:y:scale}.
     *
     * @param position  where (a direction or the centre, with offsets); ignored when replicated
     * @param replicate {@code re}: tiled over the result, the offsets spacing the tiles
     * @param scale     a fraction of the result's size, 0 = the watermark's own size
     */
    public record Watermark(double opacity, TransformSpec.Anchor position, boolean replicate, double scale) {
    }

    /**
     * imgproxy's {@code msr}, {@code msfs}, {@code maf} and {@code mafr}: limits a URL sets for its
     * own source, applied only where lower than the configured ones; 0 = the configured one.
     *
     * @param pixels      pixels of the source (over all frames)
     * @param bytes       bytes of the source
     * @param frames      frames of an animation
     * @param framePixels pixels of one frame of an animation
     */
    public record SourceLimits(long pixels, long bytes, int frames, long framePixels) {
        public static final SourceLimits NONE = new SourceLimits(0, 0, 0, 0);

        public SourceLimits withPixels(long newPixels) {
            return new SourceLimits(newPixels, bytes, frames, framePixels);
        }

        public SourceLimits withBytes(long newBytes) {
            return new SourceLimits(pixels, newBytes, frames, framePixels);
        }

        public SourceLimits withFrames(int newFrames) {
            return new SourceLimits(pixels, bytes, newFrames, framePixels);
        }

        public SourceLimits withFramePixels(long newFramePixels) {
            return new SourceLimits(pixels, bytes, frames, newFramePixels);
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
