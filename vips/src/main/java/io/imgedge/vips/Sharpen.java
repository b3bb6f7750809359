package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** Sharpening of the sigma asked for. */
final class Sharpen implements Step {
    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        double sigma = job.spec().effects().sharpen();
        return sigma <= 0 ? image : n.op("vips_sharpen", image, List.of(), List.of(), List.of(new NamedArg("sigma", sigma)));
    }
}
