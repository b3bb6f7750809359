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
     * What a transform is: the spec, the source's header, the resize box and the output format.
     */
    record Job(TransformSpec spec, ImageInfo info, Box box, ImageFormat output) {
    }

    /** The steps after the resize, in order. */
    List<Step> CHAIN = List.of(new Extend(), new Rotate(), new Blur(), new Sharpen(), new Flatten());

    /** The image after this step; images it makes are owned by {@code n}. */
    MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable;
}
