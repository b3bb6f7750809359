package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;
import io.imgedge.vips.VipsException.Reason;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * imgproxy's {@code trim}, before anything else: the edges that differ from the background (the
 * colour asked for, else the top-left pixel's) by less than the threshold are cut off, as
 * {@code vips_find_trim} finds them on the image in sRGB with any transparency flattened on
 * magenta; nothing is cut when the whole image would go.
 */
final class Trim {
    private Trim() {
    }

    static MemorySegment apply(Native n, MemorySegment image, TransformSpec.Trim trim) throws Throwable {
        MemorySegment probe = n.srgb(image);
        if (n.hasAlpha(probe)) {
            probe = n.op("vips_flatten", probe, List.of(), List.of(), List.of(new NamedArg("background", n.doubles(255, 0, 255))));
        }
        probe = n.inMemory(probe); // read twice: the corner pixel, then the search
        double[] background = trim.colour().map(c -> new double[]{c.r(), c.g(), c.b()}).orElse(null);
        if (background == null) {
            background = corner(n, probe);
        }
        MemorySegment box = n.arena.allocate(JAVA_INT, 4);
        if ((int) n.lib.callVariadic(n.arena, "vips_find_trim", JAVA_INT, List.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS),
                List.of(probe, box, box.asSlice(4), box.asSlice(8), box.asSlice(12)),
                List.of(new NamedArg("background", n.doubles(background)), new NamedArg("threshold", trim.threshold()))) != 0) {
            throw n.failure(Reason.CORRUPT_INPUT, "cannot decode image");
        }
        int width = n.width(image);
        int height = n.height(image);
        int left = box.getAtIndex(JAVA_INT, 0);
        int top = box.getAtIndex(JAVA_INT, 1);
        int w = box.getAtIndex(JAVA_INT, 2);
        int h = box.getAtIndex(JAVA_INT, 3);
        if (trim.equalHor()) {
            int diff = width - left - w - left;
            left = diff < 0 ? width - left - w : left;
            w += Math.abs(diff);
        }
        if (trim.equalVer()) {
            int diff = height - top - h - top;
            top = diff < 0 ? height - top - h : top;
            h += Math.abs(diff);
        }
        if (w <= 0 || h <= 0) {
            return image;
        }
        return n.op("vips_extract_area", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), List.of(left, top, w, h),
                List.of());
    }

    /** The top-left pixel's bands, as {@code vips_getpoint} reads them. */
    private static double[] corner(Native n, MemorySegment image) throws Throwable {
        MemorySegment vector = n.arena.allocate(ADDRESS);
        MemorySegment count = n.arena.allocate(JAVA_INT);
        if ((int) n.lib.callVariadic(n.arena, "vips_getpoint", JAVA_INT, List.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT),
                List.of(image, vector, count, 0, 0), List.of()) != 0) {
            throw n.failure(Reason.CORRUPT_INPUT, "cannot decode image");
        }
        MemorySegment values = LibVips.pointerTo(vector);
        try {
            return values.reinterpret((long) count.get(JAVA_INT, 0) * Double.BYTES).toArray(JAVA_DOUBLE);
        } finally {
            n.lib.gFree.invokeExact(values);
        }
    }
}
