package io.imgedge.vips;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Turns the image clockwise by the quarter turns asked for (the box was turned for it already). */
final class Rotate implements Step {
    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        int degrees = job.spec().effects().rotate();
        return degrees == 0 ? image : n.op("vips_rot", image, List.of(JAVA_INT), List.of(degrees / 90), List.of());
    }
}
