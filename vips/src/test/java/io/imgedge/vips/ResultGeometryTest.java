package io.imgedge.vips;

import io.imgedge.vips.TransformSpec.Fit;
import io.imgedge.vips.TransformSpec.Gravity;
import org.junit.jupiter.api.Test;

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
        return ResultGeometry.result(ResultGeometry.box(spec, info, limits), spec, info);
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
                Optional.empty(), Optional.empty(), Optional.of(Gravity.CENTRE))), 100, 100, LIMITS);
        assertTrue((long) extended.width() * extended.height() <= 50_000_000L, "extend grows to a bounded box: " + extended);
    }

    @Test
    void ordinaryBoxesAreLeftAsAsked() {
        TransformSpec fit = spec(300, 200, Fit.FIT, false, TransformSpec.Effects.NONE);
        ImageInfo photo = new ImageInfo(ImageFormat.JPEG, 1200, 800, 1, 1, false);
        assertEquals(new Box(300, 200, Fit.FIT, false), ResultGeometry.box(fit, photo, LIMITS));
        assertEquals(new ResultGeometry.Size(300, 200), ResultGeometry.result(ResultGeometry.box(fit, photo, LIMITS), fit, photo));
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
}
