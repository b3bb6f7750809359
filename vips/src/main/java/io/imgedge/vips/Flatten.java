package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** Removes alpha by compositing on the background: when one is asked for, or the output format has no alpha (on white). */
final class Flatten implements Step {
    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        var background = job.spec().effects().background();
        if (background.isEmpty() && job.output().supportsAlpha() || !n.hasAlpha(image)) {
            return image;
        }
        TransformSpec.Rgb colour = background.orElse(TransformSpec.Rgb.WHITE);
        MemorySegment rgb = n.bands(image) <= 2 ? n.doubles(colour.r()) : n.doubles(colour.r(), colour.g(), colour.b());
        return n.op("vips_flatten", image, List.of(), List.of(), List.of(new NamedArg("background", rgb)));
    }
}
