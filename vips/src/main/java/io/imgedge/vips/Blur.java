package io.imgedge.vips;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

/** A Gaussian blur of the sigma asked for. */
final class Blur implements Step {
    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        double sigma = job.spec().effects().blur();
        return sigma <= 0 ? image : n.op("vips_gaussblur", image, List.of(JAVA_DOUBLE), List.of(sigma), List.of());
    }
}
