package io.imgedge.vips;

import java.lang.foreign.MemorySegment;

/** imgproxy's {@code extend_aspect_ratio}: grows the result to the box's aspect ratio, placed by its gravity. */
final class ExtendAspectRatio implements Step {
    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        var anchor = job.spec().layout().extendAspectRatio();
        ResultGeometry.Plan plan = job.plan();
        if (anchor.isEmpty() || plan.aspectWidth() == 0 || plan.aspectHeight() == 0) {
            return image;
        }
        return Extend.grow(n, image, plan.aspectWidth(), plan.aspectHeight(), anchor.get(), job);
    }
}
