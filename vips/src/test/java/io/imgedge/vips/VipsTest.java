package io.imgedge.vips;

import io.imgedge.vips.TransformSpec.Fit;
import io.imgedge.vips.TransformSpec.Gravity;
import io.imgedge.vips.VipsException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VipsTest {
    static final Vips VIPS = Vips.load("libvips.so.42");
    static final ImageLimits LIMITS = new ImageLimits(50_000_000, 256);
    static final byte[] PHOTO = TestImages.jpeg(1200, 800);

    static TransformSpec spec(int w, int h, Fit fit, ImageFormat format) {
        return new TransformSpec(w, h, fit, Gravity.CENTRE, false, Optional.of(format), 80, true);
    }

    @Test
    void probeReadsHeader() {
        ImageInfo info = VIPS.probe(PHOTO);
        assertEquals(new ImageInfo(ImageFormat.JPEG, 1200, 800, 1, 1, false), info);
        ImageInfo png = VIPS.probe(TestImages.transparentPng(64, 48));
        assertEquals(ImageFormat.PNG, png.format());
        assertEquals(64, png.width());
        assertTrue(png.hasAlpha());
    }

    @Test
    void probeDoesNotDecodeAHugeImage() {
        ImageInfo info = VIPS.probe(TestImages.pngHeaderOnly(50_000, 50_000));
        assertEquals(2_500_000_000L, info.totalPixels());
    }

    @Test
    void validateAcceptsWholeImagesAndRefusesBrokenOnes() {
        assertEquals(new ImageInfo(ImageFormat.JPEG, 1200, 800, 1, 1, false), VIPS.validate(PHOTO, LIMITS));
        assertEquals(ImageFormat.PNG, VIPS.validate(TestImages.png(30, 20), LIMITS).format());
        VipsException truncated = assertThrows(VipsException.class, () -> VIPS.validate(TestImages.truncatedJpeg(), LIMITS));
        assertEquals(Reason.CORRUPT_INPUT, truncated.reason());
        VipsException bomb = assertThrows(VipsException.class,
                () -> VIPS.validate(TestImages.pngHeaderOnly(50_000, 50_000), LIMITS));
        assertEquals(Reason.LIMIT_EXCEEDED, bomb.reason());
        VipsException html = assertThrows(VipsException.class,
                () -> VIPS.validate("<html></html>".getBytes(StandardCharsets.UTF_8), LIMITS));
        assertEquals(Reason.UNSUPPORTED_FORMAT, html.reason());
    }

    @ParameterizedTest
    @EnumSource(value = ImageFormat.class, names = {"JPEG", "PNG", "WEBP", "AVIF", "GIF"})
    void fillProducesExactSizeInEachFormat(ImageFormat format) {
        EncodedImage out = VIPS.transform(PHOTO, spec(300, 200, Fit.FILL, format), LIMITS);
        assertEquals(format, TestImages.sniff(out.bytes()));
        BufferedImage decoded = TestImages.decode(out.bytes());
        assertEquals(300, decoded.getWidth());
        assertEquals(200, decoded.getHeight());
        assertEquals(300, out.width());
        assertEquals(200, out.height());
    }

    @Test
    void sourceFormatIsKeptUnlessItCannotBeWritten() {
        TransformSpec same = new TransformSpec(50, 0, Fit.FIT, Gravity.CENTRE, false, Optional.empty(), 80, true);
        EncodedImage png = VIPS.transform(TestImages.png(200, 100), same, LIMITS);
        assertEquals(ImageFormat.PNG, png.format());
        assertEquals(ImageFormat.PNG, TestImages.sniff(png.bytes()));
        byte[] tiff = TestImages.encode(TestImages.picture(200, 100), "tiff");
        assertEquals(ImageFormat.TIFF, VIPS.probe(tiff).format());
        EncodedImage fromTiff = VIPS.transform(tiff, same, LIMITS);
        assertEquals(ImageFormat.JPEG, TestImages.sniff(fromTiff.bytes()));
        assertEquals(25, TestImages.decode(fromTiff.bytes()).getHeight());
    }

    @Test
    void fitKeepsAspectInsideBox() {
        EncodedImage out = VIPS.transform(PHOTO, spec(300, 300, Fit.FIT, ImageFormat.PNG), LIMITS);
        assertEquals(300, out.width());
        assertEquals(200, out.height());
        BufferedImage decoded = TestImages.decode(out.bytes());
        assertEquals(200, decoded.getHeight());
    }

    @Test
    void zeroSideIsDerivedFromTheOther() {
        EncodedImage byWidth = VIPS.transform(PHOTO, spec(600, 0, Fit.FIT, ImageFormat.JPEG), LIMITS);
        assertEquals(600, byWidth.width());
        assertEquals(400, byWidth.height());
        EncodedImage byHeight = VIPS.transform(PHOTO, spec(0, 100, Fit.FILL, ImageFormat.JPEG), LIMITS);
        assertEquals(150, byHeight.width());
        assertEquals(100, byHeight.height());
        EncodedImage same = VIPS.transform(PHOTO, spec(0, 0, Fit.FIT, ImageFormat.JPEG), LIMITS);
        assertEquals(1200, same.width());
    }

    @Test
    void forceStretches() {
        EncodedImage out = VIPS.transform(PHOTO, spec(100, 300, Fit.FORCE, ImageFormat.JPEG), LIMITS);
        BufferedImage decoded = TestImages.decode(out.bytes());
        assertEquals(100, decoded.getWidth());
        assertEquals(300, decoded.getHeight());
    }

    @Test
    void enlargeOnlyWhenAsked() {
        byte[] small = TestImages.jpeg(100, 50);
        EncodedImage kept = VIPS.transform(small, spec(400, 0, Fit.FIT, ImageFormat.JPEG), LIMITS);
        assertEquals(100, kept.width());
        TransformSpec enlarge = new TransformSpec(400, 0, Fit.FIT, Gravity.CENTRE, true, Optional.of(ImageFormat.JPEG), 80, true);
        EncodedImage grown = VIPS.transform(small, enlarge, LIMITS);
        assertEquals(400, grown.width());
        assertEquals(200, grown.height());
    }

    @Test
    void smartCropGivesExactSize() {
        TransformSpec smart = new TransformSpec(200, 200, Fit.FILL, Gravity.SMART, false, Optional.of(ImageFormat.WEBP), 75, true);
        EncodedImage out = VIPS.transform(PHOTO, smart, LIMITS);
        BufferedImage decoded = TestImages.decode(out.bytes());
        assertEquals(200, decoded.getWidth());
        assertEquals(200, decoded.getHeight());
    }

    @Test
    void alphaIsFlattenedOnWhiteForJpeg() {
        byte[] png = TestImages.transparentPng(200, 200);
        EncodedImage out = VIPS.transform(png, spec(100, 100, Fit.FIT, ImageFormat.JPEG), LIMITS);
        BufferedImage decoded = TestImages.decode(out.bytes());
        Color corner = new Color(decoded.getRGB(2, 2));
        Color middle = new Color(decoded.getRGB(50, 50));
        assertTrue(corner.getRed() > 240 && corner.getGreen() > 240 && corner.getBlue() > 240, "corner " + corner);
        assertTrue(middle.getRed() > 200 && middle.getGreen() < 60, "middle " + middle);
        EncodedImage keeps = VIPS.transform(png, spec(100, 100, Fit.FIT, ImageFormat.PNG), LIMITS);
        assertTrue(TestImages.decode(keeps.bytes()).getColorModel().hasAlpha());
    }

    @Test
    void hostileInputsGiveTypedErrors() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        byte[] html = "<!doctype html><html><body>not an image</body></html>".getBytes(StandardCharsets.UTF_8);
        TransformSpec spec = spec(100, 100, Fit.FIT, ImageFormat.JPEG);
        assertReason(Reason.UNSUPPORTED_FORMAT, () -> VIPS.transform(new byte[0], spec, LIMITS));
        assertReason(Reason.UNSUPPORTED_FORMAT, () -> VIPS.transform(random, spec, LIMITS));
        assertReason(Reason.UNSUPPORTED_FORMAT, () -> VIPS.transform(html, spec, LIMITS));
        assertReason(Reason.CORRUPT_INPUT, () -> VIPS.transform(TestImages.truncatedJpeg(), spec, LIMITS));
        assertReason(Reason.LIMIT_EXCEEDED, () -> VIPS.transform(TestImages.pngHeaderOnly(50_000, 50_000), spec, LIMITS));
        assertReason(Reason.UNSUPPORTED_FORMAT, () -> VIPS.transform(
                "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>".getBytes(StandardCharsets.UTF_8), spec, LIMITS));
        // still healthy afterwards
        assertEquals(100, VIPS.transform(PHOTO, spec, LIMITS).width());
    }

    @Test
    void frameLimitComesFromHeader() {
        byte[] gif = TestImages.animatedGif(40, 40, 5);
        assertEquals(5, VIPS.probe(gif).frames());
        assertReason(Reason.LIMIT_EXCEEDED,
                () -> VIPS.transform(gif, spec(20, 20, Fit.FIT, ImageFormat.PNG), new ImageLimits(1_000_000, 4)));
        assertEquals(20, VIPS.transform(gif, spec(20, 20, Fit.FIT, ImageFormat.PNG), LIMITS).width());
    }

    private static void assertReason(Reason reason, Runnable call) {
        VipsException e = assertThrows(VipsException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
