package io.imgedge.vips;

import io.imgedge.vips.TransformSpec.Fit;
import io.imgedge.vips.TransformSpec.Gravity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static io.imgedge.vips.VipsTest.LIMITS;
import static io.imgedge.vips.VipsTest.VIPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JPEG shrink-on-load as imgproxy (processing/scale_on_load.go, calcJpegShink) and sharp (fastShrinkOnLoad) do it. */
class ShrinkOnLoadTest {

    /** imgproxy's calcJpegShink: 8 from a factor of 8, 4 from 4, 2 from 2, else 1; the smaller side's factor counts. */
    @ParameterizedTest(name = "{0}x{1} to {2}x{3}: {4}")
    @CsvSource({
            "2048, 1536, 512, 384, 4",
            "2048, 1536, 1024, 768, 2",
            "2048, 1536, 1025, 768, 1",
            "2048, 1536, 600, 450, 2",
            "2048, 1536, 256, 192, 8",
            "4000, 3000, 300, 225, 8",
            "4000, 3000, 4000, 375, 1",
            "1999, 1000, 250, 125, 4",
            "300, 200, 300, 200, 1",
            "300, 200, 600, 400, 1",
    })
    void imgproxysCalcJpegShrink(int sourceWidth, int sourceHeight, int width, int height, int shrink) {
        assertEquals(shrink, Resize.jpegShrink(sourceWidth, sourceHeight, width, height));
    }

    /**
     * At a factor of exactly 4 the result is libjpeg's quarter-size decode, as {@code vips copy in.jpg[shrink=4]}
     * makes it, and not what libvips's thumbnail makes (a half-size decode reduced by lanczos3): on a fine texture
     * the two differ.
     */
    @Test
    void aQuarterIsDecodedAsVipsCopyShrinksIt(@TempDir Path dir) throws Exception {
        byte[] jpeg = texture(2048, 1536);
        Files.write(dir.resolve("in.jpg"), jpeg);
        VipsTest.vipsCli(dir, "copy", "in.jpg[shrink=4]", "quarter.png");
        VipsTest.vipsCli(dir, "thumbnail", "in.jpg", "thumbnail.png", "512", "--height", "384", "--size", "force");
        BufferedImage quarter = TestImages.decode(Files.readAllBytes(dir.resolve("quarter.png")));
        BufferedImage thumbnail = TestImages.decode(Files.readAllBytes(dir.resolve("thumbnail.png")));
        BufferedImage ours = TestImages.decode(VIPS.transform(jpeg, fit(512, 512), LIMITS).bytes());
        assertEquals(512, ours.getWidth());
        assertEquals(384, ours.getHeight());
        double diff = VipsTest.difference(ours, quarter);
        assertTrue(diff < 0.5, "mean difference " + diff + " from vips copy [shrink=4]");
        double apart = VipsTest.difference(thumbnail, quarter);
        assertTrue(apart > 2 * diff + 1, "the texture tells the two apart: " + apart);
    }

    /** A JPEG of seeded random grey blocks of 3x3 pixels: detail at every scale the decoders keep. */
    private static byte[] texture(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(7);
        for (int y = 0; y < height; y += 3) {
            for (int x = 0; x < width; x += 3) {
                int grey = random.nextInt(256) * 0x010101;
                for (int dy = 0; dy < 3 && y + dy < height; dy++) {
                    for (int dx = 0; dx < 3 && x + dx < width; dx++) {
                        image.setRGB(x + dx, y + dy, grey);
                    }
                }
            }
        }
        return TestImages.encode(image, "jpg");
    }

    /** Between powers of two the rest is resized: sizes exact, pixels close to what vipsthumbnail makes. */
    @ParameterizedTest(name = "{0}x{1} to fit {2}")
    @CsvSource({"2047, 1535, 511", "2048, 1536, 600", "2000, 1500, 129", "1600, 1200, 1000"})
    void theRestIsResizedToTheExactSize(int width, int height, int box, @TempDir Path dir) throws Exception {
        byte[] jpeg = TestImages.jpeg(width, height);
        Files.write(dir.resolve("in.jpg"), jpeg);
        int expectedHeight = (int) Math.round((double) height * box / width);
        VipsTest.vipsCli(dir, "thumbnail", "in.jpg", "reference.png", String.valueOf(box), "--height",
                String.valueOf(expectedHeight), "--size", "force");
        BufferedImage reference = TestImages.decode(Files.readAllBytes(dir.resolve("reference.png")));
        BufferedImage ours = TestImages.decode(VIPS.transform(jpeg, fit(box, box), LIMITS).bytes());
        assertEquals(box, ours.getWidth());
        assertEquals(expectedHeight, ours.getHeight());
        double diff = VipsTest.difference(ours, reference);
        assertTrue(diff < 2, "mean difference " + diff + " from vips thumbnail");
    }

    private static TransformSpec fit(int width, int height) {
        return new TransformSpec(width, height, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.PNG), 90, true);
    }
}
