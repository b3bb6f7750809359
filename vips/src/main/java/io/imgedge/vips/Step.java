package io.imgedge.vips;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One processing step after the resize, imgproxy's {@code processing/} way: it takes the image so
 * far and gives the next (the same one when it has nothing to do for this job). A new effect is
 * a new small file and one line in {@link #CHAIN}.
 */
interface Step {
    /**
     * What a transform is: the spec, the source's header, the sizes decided from them, the output
     * format, and whether every frame of an animation is kept (else the first only).
     */
    record Job(TransformSpec spec, ImageInfo info, ResultGeometry.Plan plan, ImageFormat output, boolean animated) {
    }

    /** The steps after the resize, in imgproxy's order. */
    List<Step> CHAIN = List.of(new Blur(), new Sharpen(), new Pixelate(), new Extend(), new ExtendAspectRatio(),
            new Padding(), new Flatten(), new Watermark());

    /** The image after this step; images it makes are owned by {@code n}. */
    MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable;
}
