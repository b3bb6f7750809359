package io.imgedge.vips;

/**
 * The box the resize step is given: sides of 0 are derived from the other (both 0 never
 * reach it, {@link ResultGeometry} gives the source's size then), the fit resolved to FIT, FILL
 * or FORCE. Pure.
 */
record Box(int width, int height, TransformSpec.Fit fit, boolean enlarge) {
    Box {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("box sides must be >= 0");
        }
    }

    /** Whether both sides are set. */
    boolean both() {
        return width > 0 && height > 0;
    }

    /** The same fit at another size. */
    Box sized(int newWidth, int newHeight) {
        return new Box(newWidth, newHeight, fit, enlarge);
    }

    /** A fit box that a source of {@code sourceWidth} x {@code sourceHeight} covers the whole of this box in. */
    Box cover(int sourceWidth, int sourceHeight) {
        double scale = Math.max(width / (double) sourceWidth, height / (double) sourceHeight);
        if (!enlarge) {
            scale = Math.min(scale, 1);
        }
        return new Box((int) Math.max(1, Math.ceil(sourceWidth * scale)), (int) Math.max(1, Math.ceil(sourceHeight * scale)),
                TransformSpec.Fit.FIT, enlarge);
    }
}
