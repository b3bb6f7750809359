package io.imgedge.vips;

/**
 * Where a transform's size is decided, from the header alone and before any pixel work: the
 * {@link Box} the resize step is given ({@link TransformSpec.Fit#AUTO} and
 * {@link TransformSpec.Fit#FILL_DOWN} resolved, the box turned for a quarter rotation that comes
 * after it) and the size the result will have, which is kept within the result limits by
 * shrinking the box as imgproxy does for its max result dimension. Pure.
 */
final class ResultGeometry {
    private ResultGeometry() {
    }

    /** A width and height in pixels. */
    record Size(int width, int height) {
    }

    /**
     * The box to resize into, such that the result stays within {@code limits}'s result side and
     * pixels whatever the options ask for: no size at all keeps the source's size (enlarge has
     * nothing to enlarge to), and a box whose result would be too large is scaled down.
     */
    static Box box(TransformSpec spec, ImageInfo info, ImageLimits limits) {
        Box box = resolved(spec, info);
        Size source = source(spec, info);
        if (box.width() == 0 && box.height() == 0) {
            box = new Box(source.width(), source.height(), TransformSpec.Fit.FIT, box.enlarge());
        }
        Size result = result(box, spec, info);
        double factor = Math.min(1, Math.min(limits.maxResultSide() / (double) Math.max(result.width(), result.height()),
                Math.sqrt(limits.maxResultPixels() / ((double) result.width() * result.height()))));
        if (factor >= 1) {
            return box;
        }
        if (box.fit() != TransformSpec.Fit.FIT || spec.effects().extend().isPresent()) {
            return box.sized(box.width() > 0 ? shrink(box.width(), factor) : 0,
                    box.height() > 0 ? shrink(box.height(), factor) : 0);
        }
        // a fit: the result's longer side, scaled down, and the other derived from it
        boolean wide = result.width() >= result.height();
        return box.sized(wide ? shrink(result.width(), factor) : 0, wide ? 0 : shrink(result.height(), factor));
    }

    /** The result's width and height (one frame) for a box from {@link #box}. */
    static Size result(Box box, TransformSpec spec, ImageInfo info) {
        Size source = source(spec, info);
        int w = box.width();
        int h = box.height();
        Size out;
        if (box.both() && box.fit() == TransformSpec.Fit.FORCE) {
            out = new Size(w, h);
        } else if (box.both() && box.fit() == TransformSpec.Fit.FILL) {
            double scale = Math.max(w / (double) source.width(), h / (double) source.height());
            scale = box.enlarge() ? scale : Math.min(scale, 1);
            out = new Size(Math.min(w, scaled(source.width(), scale)), Math.min(h, scaled(source.height(), scale)));
        } else if (w == 0 && h == 0) {
            out = source;
        } else {
            double scale = Math.min(w > 0 ? w / (double) source.width() : Double.MAX_VALUE,
                    h > 0 ? h / (double) source.height() : Double.MAX_VALUE);
            scale = box.enlarge() ? scale : Math.min(scale, 1);
            out = new Size(scaled(source.width(), scale), scaled(source.height(), scale));
        }
        if (box.both() && spec.effects().extend().isPresent()) {
            out = new Size(Math.max(out.width(), w), Math.max(out.height(), h));
        }
        return out;
    }

    /**
     * The spec's box: {@link TransformSpec.Fit#AUTO} resolved by the source's orientation,
     * {@link TransformSpec.Fit#FILL_DOWN} as a fill of at most the source, and turned for a quarter
     * rotation after the resize.
     */
    static Box resolved(TransformSpec spec, ImageInfo info) {
        TransformSpec.Fit fit = spec.fit();
        boolean quarter = spec.effects().rotate() % 180 != 0;
        int width = quarter ? spec.height() : spec.width();
        int height = quarter ? spec.width() : spec.height();
        boolean upright = spec.effects().autoRotate() && info.orientation() >= 5;
        int sourceWidth = upright ? info.height() : info.width();
        int sourceHeight = upright ? info.width() : info.height();
        if (fit == TransformSpec.Fit.AUTO) {
            boolean samePortrait = (sourceHeight > sourceWidth) == (height > width);
            fit = width > 0 && height > 0 && samePortrait ? TransformSpec.Fit.FILL : TransformSpec.Fit.FIT;
        }
        if (fit == TransformSpec.Fit.FILL_DOWN) {
            fit = width > 0 && height > 0 ? TransformSpec.Fit.FILL : TransformSpec.Fit.FIT;
            if (fit == TransformSpec.Fit.FILL && !spec.enlarge() && (sourceWidth < width || sourceHeight < height)) {
                double factor = Math.min(sourceWidth / (double) width, sourceHeight / (double) height);
                width = (int) Math.max(1, Math.round(width * factor));
                height = (int) Math.max(1, Math.round(height * factor));
            }
        }
        return new Box(width, height, fit, spec.enlarge());
    }

    /** The part of the source the resize sees: oriented upright, and cropped when a crop comes first. */
    private static Size source(TransformSpec spec, ImageInfo info) {
        boolean upright = spec.effects().autoRotate() && info.orientation() >= 5;
        int width = upright ? info.height() : info.width();
        int height = upright ? info.width() : info.height();
        if (spec.effects().crop().isPresent()) {
            TransformSpec.Crop crop = spec.effects().crop().get();
            return new Size(crop.pixels(crop.width(), width), crop.pixels(crop.height(), height));
        }
        return new Size(width, height);
    }

    private static int scaled(int side, double scale) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(side * scale)));
    }

    private static int shrink(int side, double factor) {
        return (int) Math.max(1, Math.floor(side * factor + 1e-6));
    }
}
