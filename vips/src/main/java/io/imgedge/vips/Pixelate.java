package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * imgproxy's {@code pixelate}: blocks of the size asked for, each one colour (the image shrunk by
 * the block size, then enlarged back by repeating pixels, cut to its size).
 */
final class Pixelate implements Step {
    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        int size = job.spec().layout().pixelate();
        int width = n.width(image);
        int height = n.height(image);
        int block = Math.min(size, Math.min(width, height));
        if (block <= 1) {
            return image;
        }
        MemorySegment small = n.op("vips_shrink", image, List.of(JAVA_DOUBLE, JAVA_DOUBLE), List.of((double) block, (double) block),
                List.of(new NamedArg("ceil", true)));
        MemorySegment big = n.op("vips_zoom", small, List.of(JAVA_INT, JAVA_INT), List.of(block, block), List.of());
        return n.op("vips_extract_area", big, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), List.of(0, 0, width, height),
                List.of());
    }
}
