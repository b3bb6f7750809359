package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Grows a result smaller than the box to the box, placed by the extend gravity, on the background (or transparent). */
final class Extend implements Step {
    private static final int EXTEND_BACKGROUND = 5;

    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        TransformSpec.Effects fx = job.spec().effects();
        Box box = job.box();
        int width = n.width(image);
        int height = n.height(image);
        if (fx.extend().isEmpty() || !box.both() || width >= box.width() && height >= box.height()) {
            return image;
        }
        TransformSpec.Rgb colour = fx.background().orElse(TransformSpec.Rgb.WHITE);
        double[] values = switch (n.bands(image)) {
            case 1 -> new double[]{colour.r()};
            case 2 -> new double[]{colour.r(), fx.background().isPresent() ? 255 : 0};
            case 3 -> new double[]{colour.r(), colour.g(), colour.b()};
            default -> new double[]{colour.r(), colour.g(), colour.b(), n.hasAlpha(image) && fx.background().isEmpty() ? 0 : 255};
        };
        return n.op("vips_gravity", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT),
                List.of(fx.extend().get().compass, Math.max(width, box.width()), Math.max(height, box.height())),
                List.of(new NamedArg("extend", EXTEND_BACKGROUND), new NamedArg("background", n.doubles(values))));
    }
}
