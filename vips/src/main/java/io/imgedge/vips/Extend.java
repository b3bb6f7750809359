package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Grows a result smaller than the box to the box (a side of 0 stays the image's), placed by the
 * extend gravity and its offsets, on the background (or transparent).
 */
final class Extend implements Step {
    private static final int EXTEND_BACKGROUND = 5;

    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        return job.spec().effects().extend().isEmpty() ? image
                : grow(n, image, job.plan().targetWidth(), job.plan().targetHeight(), job.spec().effects().extend().get(), job);
    }

    /** imgproxy's extendImage: to {@code width} x {@code height} (0 = the image's side) when that is larger. */
    static MemorySegment grow(Native n, MemorySegment image, int width, int height, TransformSpec.Anchor anchor, Job job)
            throws Throwable {
        int imageWidth = n.width(image);
        int imageHeight = n.height(image);
        if (width <= imageWidth && height <= imageHeight) {
            return image;
        }
        int w = Math.max(width > 0 ? width : imageWidth, imageWidth);
        int h = Math.max(height > 0 ? height : imageHeight, imageHeight);
        Placement at = Placement.of(w, h, imageWidth, imageHeight, anchor, job.plan().dprScale());
        return embed(n, image, w, h, at.left(), at.top(), job.spec().effects());
    }

    /** {@code image} at {@code left}, {@code top} on a canvas {@code width} x {@code height} of the background. */
    static MemorySegment embed(Native n, MemorySegment image, int width, int height, int left, int top,
                               TransformSpec.Effects fx) throws Throwable {
        TransformSpec.Rgb colour = fx.background().orElse(TransformSpec.Rgb.WHITE);
        double[] values = switch (n.bands(image)) {
            case 1 -> new double[]{colour.r()};
            case 2 -> new double[]{colour.r(), fx.background().isPresent() ? 255 : 0};
            case 3 -> new double[]{colour.r(), colour.g(), colour.b()};
            default -> new double[]{colour.r(), colour.g(), colour.b(), n.hasAlpha(image) && fx.background().isEmpty() ? 0 : 255};
        };
        return n.op("vips_embed", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), List.of(left, top, width, height),
                List.of(new NamedArg("extend", EXTEND_BACKGROUND), new NamedArg("background", n.doubles(values))));
    }
}
