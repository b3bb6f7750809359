package io.imgedge.vips;

import io.imgedge.vips.TransformSpec.Anchor;
import io.imgedge.vips.TransformSpec.Gravity;

/**
 * Where a part goes in a whole by an {@link Anchor}, as imgproxy places crops, extensions and
 * watermarks ({@code processing/calc_position.go}): directions put the part at that edge, offsets
 * move it inwards (pixels from 1 up, times the device pixel ratio; below 1 a fraction of the
 * whole), a focus point centres the part on it; the part stays inside the whole. Pure.
 */
record Placement(int left, int top) {
    static Placement of(int width, int height, int innerWidth, int innerHeight, Anchor anchor, double dpr) {
        int left;
        int top;
        Gravity type = anchor.type();
        if (type == Gravity.FOCUS) {
            left = ResultGeometry.evenScaled(width, anchor.x()) - innerWidth / 2;
            top = ResultGeometry.evenScaled(height, anchor.y()) - innerHeight / 2;
        } else {
            int offX = Math.abs(anchor.x()) >= 1 ? (int) Math.rint(anchor.x() * dpr) : ResultGeometry.evenScaled(width, anchor.x());
            int offY = Math.abs(anchor.y()) >= 1 ? (int) Math.rint(anchor.y() * dpr) : ResultGeometry.evenScaled(height, anchor.y());
            left = halfToEven(width - innerWidth + 1) + offX;
            top = halfToEven(height - innerHeight + 1) + offY;
            switch (type) {
                case NORTH, NORTH_EAST, NORTH_WEST -> top = offY;
                case SOUTH, SOUTH_EAST, SOUTH_WEST -> top = height - innerHeight - offY;
                default -> {
                }
            }
            switch (type) {
                case EAST, NORTH_EAST, SOUTH_EAST -> left = width - innerWidth - offX;
                case WEST, NORTH_WEST, SOUTH_WEST -> left = offX;
                default -> {
                }
            }
        }
        return new Placement(Math.clamp(left, 0, Math.max(0, width - innerWidth)),
                Math.clamp(top, 0, Math.max(0, height - innerHeight)));
    }

    /** imgproxy's ShrinkToEven(a, 2): half of {@code a}, rounded half to even. */
    private static int halfToEven(int a) {
        return (int) Math.rint(a / 2.0);
    }
}
