package io.imgedge.vips;

import io.imgedge.vips.TransformSpec.Fit;
import io.imgedge.vips.TransformSpec.Gravity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultGeometryTest {
    static final ImageLimits LIMITS = new ImageLimits(50_000_000, 256, false, 8192, 50_000_000);

    static TransformSpec spec(int w, int h, Fit fit, boolean enlarge, TransformSpec.Effects effects) {
        return new TransformSpec(w, h, fit, Gravity.CENTRE, enlarge, Optional.empty(), 80, true, effects);
    }

    static ResultGeometry.Size result(TransformSpec spec, int sourceWidth, int sourceHeight, ImageLimits limits) {
        ImageInfo info = new ImageInfo(ImageFormat.PNG, sourceWidth, sourceHeight, 1, 1, false);
        return ResultGeometry.result(ResultGeometry.plan(spec, info, limits), spec);
    }

    static Fit fit(String type) {
        return switch (type) {
            case "fit" -> Fit.FIT;
            case "fill" -> Fit.FILL;
            case "fill-down" -> Fit.FILL_DOWN;
            case "force" -> Fit.FORCE;
            default -> Fit.AUTO;
        };
    }

    /** A row of imgproxy's size table as a spec: a URL's {@code rs}, {@code el}, {@code ex}, {@code exar}, {@code mrd}, {@code rot}, {@code pd}. */
    static TransformSpec imgproxyCase(String type, int width, int height, boolean enlarge, boolean extend, boolean extendAr,
                                      int limit, int rotate, String padding) {
        String[] pd = padding.split(":");
        TransformSpec.Layout layout = new TransformSpec.Layout(1, 1, 1, 0, 0, 0, 0,
                extendAr ? Optional.of(TransformSpec.Anchor.of(Gravity.CENTRE)) : Optional.empty(),
                new TransformSpec.Padding(Integer.parseInt(pd[0]), Integer.parseInt(pd[1]), Integer.parseInt(pd[2]),
                        Integer.parseInt(pd[3])), false, false, 0, limit);
        TransformSpec.Effects effects = new TransformSpec.Effects(true, rotate, 0, 0, Optional.empty(), Optional.empty(),
                extend ? Optional.of(TransformSpec.Anchor.of(Gravity.CENTRE)) : Optional.empty());
        return new TransformSpec(width, height, fit(type), Gravity.CENTRE, enlarge, Optional.empty(), 80, true, effects, layout);
    }

    @ParameterizedTest(name = "{0} {1}:{2}x{3} el={4} ex={5} exar={6} mrd={7} rot={8} pd={9} -> {10}x{11}")
    @CsvFileSource(resources = "/imgproxy/processing_test_sizes.csv", delimiter = '|')
    void imgproxyProcessingTestSizes(String test, String type, int width, int height, boolean enlarge, boolean extend,
                                     boolean extendAr, int limit, int rotate, String padding, int outWidth, int outHeight) {
        TransformSpec spec = imgproxyCase(type, width, height, enlarge, extend, extendAr, limit, rotate, padding);
        assertEquals(new ResultGeometry.Size(outWidth, outHeight), result(spec, 200, 100, LIMITS), test);
    }

    @Test
    void enlargeWithoutASizeKeepsTheSourceSize() {
        assertEquals(new ResultGeometry.Size(10, 10), result(spec(0, 0, Fit.FIT, true, TransformSpec.Effects.NONE), 10, 10, LIMITS));
        assertEquals(new ResultGeometry.Size(10, 10), result(spec(0, 0, Fit.FILL, true, TransformSpec.Effects.NONE), 10, 10, LIMITS));
    }

    @Test
    void aDerivedSideNeverPassesTheResultSide() {
        ResultGeometry.Size tall = result(spec(8192, 0, Fit.FIT, true, TransformSpec.Effects.NONE), 1, 1000, LIMITS);
        assertTrue(tall.height() <= 8192 && tall.height() > 7000 && tall.width() >= 1, tall.toString());
    }

    @Test
    void aSourceLargerThanTheResultSideIsShrunkWithItsAspect() {
        ResultGeometry.Size pano = result(spec(0, 0, Fit.FIT, false, TransformSpec.Effects.NONE), 20000, 1000, LIMITS);
        assertTrue(pano.width() <= 8192 && pano.width() >= 8180, pano.toString());
        assertEquals(409, pano.height(), 1);
    }

    @Test
    void resultPixelsAreBoundedToo() {
        ResultGeometry.Size filled = result(spec(8192, 8192, Fit.FILL, true, TransformSpec.Effects.NONE), 4000, 3000, LIMITS);
        assertTrue((long) filled.width() * filled.height() <= 50_000_000L, filled.toString());
        assertEquals(filled.width(), filled.height(), "the box's aspect stays");
        ResultGeometry.Size extended = result(spec(8000, 8000, Fit.FIT, false, new TransformSpec.Effects(true, 0, 0, 0,
                Optional.empty(), Optional.empty(), Optional.of(TransformSpec.Anchor.of(Gravity.CENTRE)))), 100, 100, LIMITS);
        assertTrue((long) extended.width() * extended.height() <= 50_000_000L, "extend grows to a bounded box: " + extended);
    }

    @Test
    void ordinaryBoxesAreLeftAsAsked() {
        assertEquals(new ResultGeometry.Size(300, 200), result(spec(300, 200, Fit.FIT, false, TransformSpec.Effects.NONE), 1200, 800, LIMITS));
        assertEquals(new ResultGeometry.Size(100, 100), result(spec(100, 100, Fit.FILL, false, TransformSpec.Effects.NONE), 1200, 800, LIMITS));
        assertEquals(new ResultGeometry.Size(1200, 800), result(spec(2400, 0, Fit.FIT, false, TransformSpec.Effects.NONE), 1200, 800, LIMITS),
                "no enlarging unless asked");
        assertEquals(new ResultGeometry.Size(2400, 1600), result(spec(2400, 0, Fit.FIT, true, TransformSpec.Effects.NONE), 1200, 800, LIMITS));
    }

    @Test
    void aSmallerBoundShrinksEveryResult() {
        ImageLimits small = new ImageLimits(50_000_000, 256, false, 100, 50_000_000);
        assertEquals(new ResultGeometry.Size(100, 67), result(spec(0, 0, Fit.FIT, false, TransformSpec.Effects.NONE), 1200, 800, small));
        ResultGeometry.Size forced = result(spec(400, 200, Fit.FORCE, false, TransformSpec.Effects.NONE), 1200, 800, small);
        assertEquals(new ResultGeometry.Size(100, 50), forced);
    }

    @Test
    void minimumSizesZoomAndDprAsImgproxy() {
        TransformSpec.Layout minWidth = new TransformSpec.Layout(1, 1, 1, 300, 0, 0, 0, Optional.empty(),
                TransformSpec.Padding.NONE, false, false, 0, 0);
        TransformSpec fit = new TransformSpec(0, 0, Fit.FIT, Gravity.CENTRE, false, Optional.empty(), 80, true,
                TransformSpec.Effects.NONE, minWidth);
        assertEquals(new ResultGeometry.Size(300, 150), result(fit, 200, 100, LIMITS), "mw:300 enlarges; a width or height set too would crop it back, as imgproxy documents");
        TransformSpec zoomed = new TransformSpec(100, 0, Fit.FIT, Gravity.CENTRE, false, Optional.empty(), 80, true,
                TransformSpec.Effects.NONE, new TransformSpec.Layout(1, 0.5, 0.5, 0, 0, 0, 0, Optional.empty(),
                TransformSpec.Padding.NONE, false, false, 0, 0));
        assertEquals(new ResultGeometry.Size(50, 25), result(zoomed, 200, 100, LIMITS));
        TransformSpec dpr = new TransformSpec(50, 0, Fit.FIT, Gravity.CENTRE, false, Optional.empty(), 80, true,
                TransformSpec.Effects.NONE, TransformSpec.Layout.NONE.withDpr(3));
        assertEquals(new ResultGeometry.Size(150, 75), result(dpr, 200, 100, LIMITS));
        assertEquals(new ResultGeometry.Size(200, 100), result(spec(100, 0, Fit.FIT, false, TransformSpec.Effects.NONE)
                .withLayout(TransformSpec.Layout.NONE.withDpr(4)), 200, 100, LIMITS), "a dpr never enlarges past the source");
    }

    @Test
    void imgproxyCropSizes() {
        assertEquals(0, ResultGeometry.cropSize(400, 0));
        assertEquals(200, ResultGeometry.cropSize(400, 0.5));
        assertEquals(1, ResultGeometry.cropSize(400, 1), "1 is a pixel, not the whole");
        assertEquals(150, ResultGeometry.cropSize(400, 150.7));
    }
}
