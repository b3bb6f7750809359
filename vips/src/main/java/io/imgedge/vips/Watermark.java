package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * imgproxy's {@code watermark}, the last step: the configured image, fitted to a fraction of the
 * result when a scale is given, its alpha times the opacity, laid over the result where the
 * position says (kept inside it), or tiled over all of it with the offsets as spacing.
 */
final class Watermark implements Step {
    private static final int BLEND_OVER = 2;
    private static final int FORMAT_UCHAR = 0;
    private static final int SIZE_BOTH = 0;
    /** Tile spacing is transparent: effects with no background. */
    private static final TransformSpec.Effects TRANSPARENT = TransformSpec.Effects.NONE;

    @Override
    public MemorySegment apply(Native n, MemorySegment image, Job job) throws Throwable {
        if (job.spec().layout().watermark().isEmpty()) {
            return image;
        }
        TransformSpec.Watermark wm = job.spec().layout().watermark().get();
        int width = n.width(image);
        int height = n.height(image);
        MemorySegment mark = n.rgba(n.load(n.copyIn(wm.image()), "", "cannot read watermark"));
        if (wm.scale() > 0) {
            int boxWidth = Math.max(1, (int) Math.rint(width * wm.scale()));
            int boxHeight = Math.max(1, (int) Math.rint(height * wm.scale()));
            mark = n.op("vips_thumbnail_image", mark, List.of(JAVA_INT), List.of(boxWidth),
                    List.of(new NamedArg("height", boxHeight), new NamedArg("size", SIZE_BOTH)));
        }
        mark = n.faded(mark, wm.opacity());
        double dpr = job.plan().dprScale();
        int left = 0;
        int top = 0;
        if (wm.replicate()) {
            int gapX = offset(wm.position().x(), width, dpr);
            int gapY = offset(wm.position().y(), height, dpr);
            mark = Extend.embed(n, mark, n.width(mark) + gapX, n.height(mark) + gapY, gapX / 2, gapY / 2, TRANSPARENT);
            mark = tiled(n, mark, width, height);
        } else {
            Placement at = Placement.of(width, height, Math.min(width, n.width(mark)), Math.min(height, n.height(mark)),
                    wm.position(), dpr);
            left = at.left();
            top = at.top();
        }
        boolean alpha = n.hasAlpha(image);
        MemorySegment base = n.rgba(image);
        MemorySegment cell = n.arena.allocate(ADDRESS);
        MemorySegment laid = n.call("vips_composite2", List.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT),
                List.of(base, mark, cell, BLEND_OVER), List.of(new NamedArg("x", left), new NamedArg("y", top)),
                cell, VipsException.Reason.OPERATION_FAILED, "cannot apply watermark");
        MemorySegment out = n.op("vips_cast", laid, List.of(JAVA_INT), List.of(FORMAT_UCHAR), List.of());
        return alpha ? out : n.op("vips_extract_band", out, List.of(JAVA_INT), List.of(0), List.of(new NamedArg("n", 3)));
    }


    /** imgproxy's replicate, centred: tiles over {@code width} x {@code height}, the pattern's middle at the middle. */
    private static MemorySegment tiled(Native n, MemorySegment tile, int width, int height) throws Throwable {
        int tw = n.width(tile);
        int th = n.height(tile);
        int across = width / tw + 2;
        int down = height / th + 2;
        MemorySegment all = n.op("vips_replicate", tile, List.of(JAVA_INT, JAVA_INT), List.of(across, down), List.of());
        int left = (across * tw - width) / 2;
        int top = (down * th - height) / 2;
        return n.op("vips_extract_area", all, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), List.of(left, top, width, height),
                List.of());
    }

    /** An offset as imgproxy reads it: pixels (times the ratio) from 1 up, else a fraction of {@code whole}. */
    private static int offset(double value, int whole, double dpr) {
        return (int) Math.max(0, Math.abs(value) >= 1 ? Math.rint(value * dpr) : Math.rint(whole * value));
    }
}
