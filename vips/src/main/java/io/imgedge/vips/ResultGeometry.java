package io.imgedge.vips;

import io.imgedge.vips.TransformSpec.Fit;

/**
 * Where a transform's sizes are decided, from the header alone and before any pixel work, the
 * way imgproxy decides them ({@code processing/prepare.go}: scale factors, then the sizes they
 * give): the crop before the resize, the size the resize makes, the crop to the result, and the
 * sizes extension grows to. All sizes are of the image as turned by the EXIF orientation and the
 * rotation. The result stays within the result limits whatever the options ask for (imgproxy's
 * max result dimension, and our pixel bound): the scale is lowered until it does. Pure.
 */
final class ResultGeometry {
    private ResultGeometry() {
    }

    /** A width and height in pixels. */
    record Size(int width, int height) {
    }

    /**
     * The sizes of one transform. A 0 size means "the image's own".
     *
     * @param cropWidth    the crop before the resize
     * @param scaledWidth  what the resize makes
     * @param targetWidth  the box times the device pixel ratio and zoom: what extension grows to
     * @param resultCropWidth the crop after the resize (fill, fill-down)
     * @param aspectWidth  what extension to the box's aspect ratio grows to
     * @param dprScale     the device pixel ratio as it applies (offsets and padding are multiplied by it)
     */
    record Plan(int cropWidth, int cropHeight, int scaledWidth, int scaledHeight, int targetWidth, int targetHeight,
                int resultCropWidth, int resultCropHeight, int aspectWidth, int aspectHeight, double dprScale) {
    }

    static Plan plan(TransformSpec spec, ImageInfo info, ImageLimits limits) {
        Size source = turned(spec, info);
        int cropWidth = spec.effects().crop().map(c -> cropSize(source.width(), c.width())).orElse(0);
        int cropHeight = spec.effects().crop().map(c -> cropSize(source.height(), c.height())).orElse(0);
        Calc c = new Calc(spec, info.format() == ImageFormat.SVG, minNonZero(cropWidth, source.width()),
                minNonZero(cropHeight, source.height()));
        c.scale();
        c.sizes();
        c.limit(limits);
        return c.plan(cropWidth, cropHeight);
    }

    /** The size of the result (one frame) a plan gives. */
    static Size result(Plan plan, TransformSpec spec) {
        TransformSpec.Layout layout = spec.layout();
        Size out = Calc.out(plan, spec);
        int width = out.width() + evenScaled(layout.padding().left(), plan.dprScale())
                + evenScaled(layout.padding().right(), plan.dprScale());
        int height = out.height() + evenScaled(layout.padding().top(), plan.dprScale())
                + evenScaled(layout.padding().bottom(), plan.dprScale());
        return new Size(width, height);
    }

    /** The source's size as the result is oriented: EXIF orientation, then the rotation. */
    static Size turned(TransformSpec spec, ImageInfo info) {
        boolean upright = spec.effects().autoRotate() && info.orientation() >= 5;
        boolean quarter = spec.effects().rotate() % 180 != 0;
        return upright != quarter ? new Size(info.height(), info.width()) : new Size(info.width(), info.height());
    }

    /** imgproxy's scale factors and sizes, step by step as its {@code Context.CalcParams}. */
    private static final class Calc {
        private final TransformSpec spec;
        private final TransformSpec.Layout layout;
        private final boolean vector;
        private final int width;
        private final int height;
        double wScale = 1;
        double hScale = 1;
        double dprScale = 1;
        int targetWidth;
        int targetHeight;
        int scaledWidth;
        int scaledHeight;
        int resultCropWidth;
        int resultCropHeight;
        int aspectWidth;
        int aspectHeight;

        Calc(TransformSpec spec, boolean vector, int width, int height) {
            this.spec = spec;
            this.layout = spec.layout();
            this.vector = vector;
            this.width = width;
            this.height = height;
        }

        void scale() {
            double srcW = width;
            double srcH = height;
            double dstW = spec.width() != 0 ? spec.width() : srcW;
            double dstH = spec.height() != 0 ? spec.height() : srcH;
            double wShrink = dstW != srcW ? srcW / dstW : 1;
            double hShrink = dstH != srcH ? srcH / dstH : 1;
            if (wShrink != 1 || hShrink != 1) {
                Fit fit = spec.fit();
                if (fit == Fit.AUTO) {
                    double srcD = srcW - srcH;
                    double dstD = dstW - dstH;
                    fit = srcD >= 0 && dstD >= 0 || srcD < 0 && dstD < 0 ? Fit.FILL : Fit.FIT;
                }
                if (spec.width() == 0 && fit != Fit.FORCE) {
                    wShrink = hShrink;
                } else if (spec.height() == 0 && fit != Fit.FORCE) {
                    hShrink = wShrink;
                } else if (fit == Fit.FIT) {
                    wShrink = hShrink = Math.max(wShrink, hShrink);
                } else if (fit == Fit.FILL || fit == Fit.FILL_DOWN) {
                    wShrink = hShrink = Math.min(wShrink, hShrink);
                }
            }
            wShrink /= layout.zoomWidth();
            hShrink /= layout.zoomHeight();
            dprScale = layout.dpr();
            if (!spec.enlarge() && !vector) {
                double minShrink = Math.min(wShrink, hShrink);
                if (minShrink < 1) {
                    wShrink /= minShrink;
                    hShrink /= minShrink;
                    if (spec.effects().extend().isEmpty()) {
                        dprScale /= minShrink;
                    }
                }
                dprScale = Math.min(dprScale, Math.min(wShrink, hShrink));
            }
            if (layout.minWidth() > 0) {
                double minShrink = srcW / layout.minWidth();
                if (minShrink < wShrink) {
                    hShrink /= wShrink / minShrink;
                    wShrink = minShrink;
                }
            }
            if (layout.minHeight() > 0) {
                double minShrink = srcH / layout.minHeight();
                if (minShrink < hShrink) {
                    wShrink /= hShrink / minShrink;
                    hShrink = minShrink;
                }
            }
            wShrink = Math.min(wShrink / dprScale, srcW);
            hShrink = Math.min(hShrink / dprScale, srcH);
            wScale = 1 / wShrink;
            hScale = 1 / hShrink;
        }

        void sizes() {
            targetWidth = scaled(spec.width(), dprScale * layout.zoomWidth());
            targetHeight = scaled(spec.height(), dprScale * layout.zoomHeight());
            scaledWidth = scaled(width, wScale);
            scaledHeight = scaled(height, hScale);
            resultCropWidth = targetWidth;
            resultCropHeight = targetHeight;
            if (spec.fit() == Fit.FILL_DOWN && !spec.enlarge()) {
                double diffW = targetWidth / (double) scaledWidth;
                double diffH = targetHeight / (double) scaledHeight;
                if (diffW > diffH && diffW > 1) {
                    resultCropHeight = scaled(scaledWidth, targetHeight / (double) targetWidth);
                    resultCropWidth = scaledWidth;
                } else if (diffH > diffW && diffH > 1) {
                    resultCropWidth = scaled(scaledHeight, targetWidth / (double) targetHeight);
                    resultCropHeight = scaledHeight;
                }
            }
            aspectWidth = 0;
            aspectHeight = 0;
            if (layout.extendAspectRatio().isPresent() && targetWidth > 0 && targetHeight > 0) {
                int outW = minNonZero(scaledWidth, resultCropWidth);
                int outH = minNonZero(scaledHeight, resultCropHeight);
                double diffW = targetWidth / (double) outW;
                double diffH = targetHeight / (double) outH;
                if (diffH > diffW) {
                    aspectHeight = scaled(outW, targetHeight / (double) targetWidth);
                    aspectWidth = outW;
                } else if (diffW > diffH) {
                    aspectWidth = scaled(outH, targetWidth / (double) targetHeight);
                    aspectHeight = outH;
                }
            }
        }

        /** The sizes worked out so far, with the crop before the resize. */
        Plan plan(int cropWidth, int cropHeight) {
            return new Plan(cropWidth, cropHeight, scaledWidth, scaledHeight, targetWidth, targetHeight, resultCropWidth,
                    resultCropHeight, aspectWidth, aspectHeight, dprScale);
        }

        /** imgproxy's limitScale, for its max result dimension and our pixel bound: lowers the scale until the result fits. */
        void limit(ImageLimits limits) {
            int maxSide = layout.maxResultSide() > 0 ? Math.min(layout.maxResultSide(), limits.maxResultSide())
                    : limits.maxResultSide();
            double downScale = fit(maxSide, limits.maxResultPixels());
            if (downScale >= 1) {
                return;
            }
            scaleDown(downScale);
            // rounding up to whole pixels may leave a pixel over: the bound is a bound
            double again = fit(maxSide, limits.maxResultPixels());
            if (again < 1) {
                scaleDown(again - 1e-9);
            }
        }

        /** The factor that brings the result so far within {@code maxSide} and {@code maxPixels} (1 or more: it is within). */
        private double fit(int maxSide, long maxPixels) {
            Size out = result(plan(0, 0), spec);
            return Math.min(maxSide / (double) Math.max(out.width(), out.height()),
                    Math.sqrt(maxPixels / ((double) out.width() * out.height())));
        }

        private void scaleDown(double factor) {
            wScale = Math.max(wScale * factor, 1.0 / width);
            hScale = Math.max(hScale * factor, 1.0 / height);
            dprScale *= factor;
            sizes();
        }

        /** The image's size after the crop to the result and extension, before padding. */
        static Size out(Plan plan, TransformSpec spec) {
            int width = minNonZero(plan.scaledWidth(), plan.resultCropWidth());
            int height = minNonZero(plan.scaledHeight(), plan.resultCropHeight());
            if (spec.effects().extend().isPresent()) {
                width = Math.max(width, plan.targetWidth());
                height = Math.max(height, plan.targetHeight());
            } else if (spec.layout().extendAspectRatio().isPresent() && plan.aspectWidth() > 0 && plan.aspectHeight() > 0) {
                width = Math.max(width, plan.aspectWidth());
                height = Math.max(height, plan.aspectHeight());
            }
            return new Size(width, height);
        }
    }

    /** imgproxy's CalcCropSize: 0 = none, from 1 up pixels, below 1 a fraction (at least a pixel). */
    static int cropSize(int whole, double crop) {
        if (crop == 0) {
            return 0;
        }
        return crop >= 1 ? (int) Math.min(crop, Integer.MAX_VALUE) : Math.max(1, scaled(whole, crop));
    }

    static int minNonZero(int a, int b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /** {@code side * scale} rounded half up, 0 staying 0. */
    static int scaled(int side, double scale) {
        return side == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.round(side * scale));
    }

    /** {@code side * scale} rounded half to even, 0 staying 0 (imgproxy's ScaleToEven). */
    static int evenScaled(int side, double scale) {
        return side == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.rint(side * scale));
    }
}
