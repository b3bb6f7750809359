package io.imgedge.vips;

import java.lang.foreign.MemorySegment;

/** imgproxy's {@code padding}: pixels (times the device pixel ratio) added on each side, on the background. */
final class Padding implements Step {
    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        TransformSpec.Padding padding = job.spec().layout().padding();
        if (padding.equals(TransformSpec.Padding.NONE)) {
            return image;
        }
        double dpr = job.plan().dprScale();
        int top = ResultGeometry.evenScaled(padding.top(), dpr);
        int right = ResultGeometry.evenScaled(padding.right(), dpr);
        int bottom = ResultGeometry.evenScaled(padding.bottom(), dpr);
        int left = ResultGeometry.evenScaled(padding.left(), dpr);
        return Extend.embed(n, image, n.width(image) + left + right, n.height(image) + top + bottom, left, top,
                job.spec().effects());
    }
}
