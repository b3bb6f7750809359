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
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VipsTest {
    static final Vips VIPS = Vips.load(TestImages.vipsLibrary());
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

    /** Every output format drops EXIF (camera, GPS), XMP and the ICC profile when stripping, as vipsheader reads it back. */
    @ParameterizedTest
    @EnumSource(value = ImageFormat.class, names = {"JPEG", "PNG", "WEBP", "AVIF", "GIF"})
    void strippingRemovesEveryKindOfMetadata(ImageFormat format) {
        byte[] tagged = TestImages.taggedJpeg(400, 300);
        assertEquals(java.util.Set.of("exif", "gps", "icc", "make", "xmp"), TestImages.metadata(tagged), "the source has it all");
        byte[] stripped = VIPS.transform(tagged, new TransformSpec(200, 0, Fit.FIT, Gravity.CENTRE, false,
                Optional.of(format), 80, true), LIMITS).bytes();
        assertEquals(format, TestImages.sniff(stripped));
        assertEquals(200, TestImages.decode(stripped).getWidth(), "still a whole image");
        assertEquals(java.util.Set.of(), TestImages.metadata(stripped), format + " with strip_metadata");
        if (format != ImageFormat.GIF) {
            byte[] kept = VIPS.transform(tagged, new TransformSpec(200, 0, Fit.FIT, Gravity.CENTRE, false,
                    Optional.of(format), 80, false), LIMITS).bytes();
            assertTrue(TestImages.metadata(kept).containsAll(List.of("exif", "make")),
                    format + " without stripping keeps EXIF: " + TestImages.metadata(kept));
        }
    }

    /** Multi-page TIFFs give page 0, never another page that looks like a pyramid level, and never an animation. */
    @Test
    void multiPageTiffsGiveTheirFirstPage() {
        byte[] pyramid = TestImages.tiff(false, new TestImages.Page(800, 500, 0xff0000),
                new TestImages.Page(400, 250, 0x0000ff), new TestImages.Page(200, 125, 0x00ff00));
        assertEquals(3, VIPS.probe(pyramid).frames());
        for (ImageFormat format : List.of(ImageFormat.PNG, ImageFormat.WEBP, ImageFormat.GIF, ImageFormat.JPEG)) {
            EncodedImage out = VIPS.transform(pyramid, new TransformSpec(300, 300, Fit.FIT, Gravity.CENTRE, false,
                    Optional.of(format), 90, true), LIMITS);
            BufferedImage decoded = TestImages.decode(out.bytes());
            assertEquals(300, decoded.getWidth(), format + ": fitted from the 800x500 page 0");
            assertEquals(188, decoded.getHeight(), 1, format.toString());
            assertEquals(1, VIPS.probe(out.bytes()).frames(), format + ": one image");
            assertTrue((decoded.getRGB(150, 90) >> 16 & 0xff) > 200 && (decoded.getRGB(150, 90) & 0xff) < 60,
                    format + ": the red page 0, not " + Integer.toHexString(decoded.getRGB(150, 90)));
        }
        byte[] looped = TestImages.tiff(true, new TestImages.Page(60, 40, 0x00ff00), new TestImages.Page(60, 40, 0xff0000));
        EncodedImage gif = VIPS.transform(looped, new TransformSpec(30, 0, Fit.FIT, Gravity.CENTRE, false,
                Optional.of(ImageFormat.GIF), 90, true), LIMITS);
        assertEquals(1, VIPS.probe(gif.bytes()).frames(), "an IFD loop is not an animation");
        assertTrue((TestImages.decode(gif.bytes()).getRGB(15, 10) >> 8 & 0xff) > 200, "page 0 is green");
    }

    /** {@code el:1} with no size once kept a worker busy for a minute making a 10-megapixel-wide image. */
    @Test
    void resultsStayWithinTheResultLimitsWhateverTheOptions() {
        byte[] tiny = TestImages.png(10, 10);
        long started = System.nanoTime();
        EncodedImage same = VIPS.transform(tiny, new TransformSpec(0, 0, Fit.FIT, Gravity.CENTRE, true,
                Optional.of(ImageFormat.PNG), 80, true), LIMITS);
        assertEquals(10, same.width());
        assertEquals(10, same.height());
        byte[] line = TestImages.png(1, 1000);
        EncodedImage tall = VIPS.transform(line, new TransformSpec(8192, 0, Fit.FIT, Gravity.CENTRE, true,
                Optional.of(ImageFormat.PNG), 80, true), LIMITS);
        BufferedImage decoded = TestImages.decode(tall.bytes());
        assertTrue(decoded.getHeight() <= ImageLimits.DEFAULT_RESULT_SIDE && decoded.getWidth() <= 8, tall.width() + "x" + tall.height());
        ImageLimits small = new ImageLimits(50_000_000, 256, false, 100, 50_000_000);
        EncodedImage bounded = VIPS.transform(PHOTO, new TransformSpec(0, 0, Fit.FIT, Gravity.CENTRE, false,
                Optional.of(ImageFormat.JPEG), 80, true), small);
        assertEquals(100, TestImages.decode(bounded.bytes()).getWidth());
        assertTrue(System.nanoTime() - started < 30_000_000_000L, "no unbounded work");
    }

    @Test
    void strippingAnAnimationKeepsItsFrames() {
        byte[] gif = TestImages.animatedGif(40, 30, 4);
        for (ImageFormat format : List.of(ImageFormat.GIF, ImageFormat.WEBP)) {
            byte[] out = VIPS.transform(gif, new TransformSpec(20, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(format),
                    80, true), LIMITS).bytes();
            assertEquals(4, VIPS.probe(out).frames(), format + " stays animated");
            assertEquals(java.util.Set.of(), TestImages.metadata(out));
        }
    }

    static TransformSpec effects(int w, int h, Fit fit, ImageFormat format, TransformSpec.Effects effects) {
        return new TransformSpec(w, h, fit, Gravity.CENTRE, false, Optional.of(format), 90, true, effects);
    }

    @Test
    void rotationBlurSharpenAndBackground() {
        TransformSpec.Effects none = TransformSpec.Effects.NONE;
        byte[] rotated = VIPS.transform(PHOTO, effects(300, 200, Fit.FILL, ImageFormat.PNG,
                new TransformSpec.Effects(true, 90, 0, 0, Optional.empty())), LIMITS).bytes();
        BufferedImage r = TestImages.decode(rotated);
        assertEquals(300, r.getWidth(), "the box is the final image's");
        assertEquals(200, r.getHeight());
        BufferedImage plain = TestImages.decode(VIPS.transform(PHOTO, effects(300, 200, Fit.FILL, ImageFormat.PNG, none), LIMITS).bytes());
        BufferedImage blurred = TestImages.decode(VIPS.transform(PHOTO, effects(300, 200, Fit.FILL, ImageFormat.PNG,
                new TransformSpec.Effects(true, 0, 3, 0, Optional.empty())), LIMITS).bytes());
        BufferedImage sharpened = TestImages.decode(VIPS.transform(PHOTO, effects(300, 200, Fit.FILL, ImageFormat.PNG,
                new TransformSpec.Effects(true, 0, 0, 2, Optional.empty())), LIMITS).bytes());
        assertEquals(300, blurred.getWidth());
        assertTrue(contrast(blurred) < contrast(plain) && contrast(plain) < contrast(sharpened),
                contrast(blurred) + " < " + contrast(plain) + " < " + contrast(sharpened));

        byte[] transparent = TestImages.transparentPng(64, 48);
        BufferedImage onRed = TestImages.decode(VIPS.transform(transparent, effects(64, 48, Fit.FIT, ImageFormat.PNG,
                new TransformSpec.Effects(true, 0, 0, 0, Optional.of(new TransformSpec.Rgb(255, 0, 0)))), LIMITS).bytes());
        assertFalse(onRed.getColorModel().hasAlpha(), "a background flattens formats with alpha too");
        assertEquals(0xff0000, onRed.getRGB(0, 0) & 0xffffff);
        BufferedImage jpegOnWhite = TestImages.decode(VIPS.transform(transparent, effects(64, 48, Fit.FIT, ImageFormat.JPEG, none),
                LIMITS).bytes());
        assertTrue((jpegOnWhite.getRGB(0, 0) & 0xff) > 240, "JPEG without a background: white");
    }

    /** Mean absolute difference of horizontally adjacent pixels (green channel): detail. */
    static double contrast(BufferedImage image) {
        long sum = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 1; x < image.getWidth(); x++) {
                sum += Math.abs((image.getRGB(x, y) >> 8 & 0xff) - (image.getRGB(x - 1, y) >> 8 & 0xff));
            }
        }
        return sum / (double) (image.getHeight() * (image.getWidth() - 1));
    }

    /**
     * libvips's worker threads give their buffers back shortly after an operation ends, so the
     * tracked memory is polled (bounded) until it is back where it was.
     */
    static void assertFreedTo(long before) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (VIPS.trackedBytes() != before && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(before, VIPS.trackedBytes(), "every image made was freed");
    }

    /** libvips before 8.15 generates SIMD code with liborc, which crashed a node under the bench's load: off there. */
    @Test
    void liborcIsOffBefore815AndSimdOnAfter() {
        assertTrue(Vips.orcEra("8.14.1"));
        assertTrue(Vips.orcEra("8.9.2"));
        assertFalse(Vips.orcEra("8.15.0"));
        assertFalse(Vips.orcEra("8.17.3"));
        assertFalse(Vips.orcEra("9.0.0-rc1"));
        assertEquals(!Vips.orcEra(VIPS.version()), VIPS.simd(), "libvips " + VIPS.version());
    }

    static final int[][] STORED = {{0xff0000, 0x00ff00}, {0x0000ff, 0xffffff}};

    /** A 300x200 JPEG of four coloured quarters with EXIF orientation {@code orientation}. */
    static byte[] orientedJpeg(int orientation) {
        BufferedImage image = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 300; x++) {
                image.setRGB(x, y, STORED[y < 100 ? 0 : 1][x < 150 ? 0 : 1]);
            }
        }
        byte[] jpeg = TestImages.encode(image, "jpg");
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, 0, 0, 0, 0};
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + exif.length + tiff.length;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0xff);
        out.write(0xd8);
        out.write(0xff);
        out.write(0xe1);
        out.write(length >> 8);
        out.write(length & 0xff);
        out.writeBytes(exif);
        out.writeBytes(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** The 2x2 grid of quarter colours as a viewer shows the stored grid under EXIF {@code orientation} (written from the EXIF spec). */
    static int[][] upright(int orientation) {
        int[][] g = STORED;
        return switch (orientation) {
            case 1 -> g;
            case 2 -> new int[][]{{g[0][1], g[0][0]}, {g[1][1], g[1][0]}};
            case 3 -> new int[][]{{g[1][1], g[1][0]}, {g[0][1], g[0][0]}};
            case 4 -> new int[][]{{g[1][0], g[1][1]}, {g[0][0], g[0][1]}};
            case 5 -> new int[][]{{g[0][0], g[1][0]}, {g[0][1], g[1][1]}};
            case 6 -> new int[][]{{g[1][0], g[0][0]}, {g[1][1], g[0][1]}};
            case 7 -> new int[][]{{g[1][1], g[0][1]}, {g[1][0], g[0][0]}};
            case 8 -> new int[][]{{g[0][1], g[1][1]}, {g[0][0], g[1][0]}};
            default -> throw new IllegalArgumentException();
        };
    }

    static int nearest(int rgb) {
        int best = 0;
        int bestDistance = Integer.MAX_VALUE;
        for (int candidate : new int[]{0xff0000, 0x00ff00, 0x0000ff, 0xffffff}) {
            int d = 0;
            for (int shift = 0; shift <= 16; shift += 8) {
                d += Math.abs((rgb >> shift & 0xff) - (candidate >> shift & 0xff));
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best;
    }

    @ParameterizedTest(name = "orientation {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyExifOrientationComesOutUpright(int orientation) {
        byte[] jpeg = orientedJpeg(orientation);
        assertEquals(orientation, VIPS.probe(jpeg).orientation());
        boolean turned = orientation >= 5;
        // decoded at 1/2, 1/4 and 1/8 of the size (the stored 300x200 or 200x300 shrunk on load), then resized
        for (int width : new int[]{100, 50, 30}) {
            TransformSpec fit = new TransformSpec(width, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.PNG),
                    90, true);
            BufferedImage out = TestImages.decode(VIPS.transform(jpeg, fit, LIMITS).bytes());
            assertEquals(width, out.getWidth());
            assertEquals(Math.round(width * (turned ? 1.5 : 2 / 3.0)), out.getHeight(), "height at width " + width);
            int[][] expected = upright(orientation);
            for (int row = 0; row < 2; row++) {
                for (int col = 0; col < 2; col++) {
                    int x = out.getWidth() / 4 + col * out.getWidth() / 2;
                    int y = out.getHeight() / 4 + row * out.getHeight() / 2;
                    assertEquals(Integer.toHexString(expected[row][col]), Integer.toHexString(nearest(out.getRGB(x, y))),
                            "quarter " + row + "," + col + " at width " + width);
                }
            }
        }
        TransformSpec asStored = new TransformSpec(100, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.PNG), 90,
                true, new TransformSpec.Effects(false, 0, 0, 0, Optional.empty()));
        BufferedImage raw = TestImages.decode(VIPS.transform(jpeg, asStored, LIMITS).bytes());
        assertEquals(67, raw.getHeight(), "auto_rotate off: as stored");
        assertEquals("ff0000", Integer.toHexString(nearest(raw.getRGB(25, 16))));
    }

    @ParameterizedTest(name = "orientation {0} as vips autorot")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyExifOrientationMatchesTheVipsCli(int orientation, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.write(dir.resolve("oriented.jpg"), orientedJpeg(orientation));
        vipsCli(dir, "autorot", "oriented.jpg", "reference.png");
        BufferedImage reference = TestImages.decode(java.nio.file.Files.readAllBytes(dir.resolve("reference.png")));
        TransformSpec sameSize = new TransformSpec(reference.getWidth(), 0, Fit.FIT, Gravity.CENTRE, false,
                Optional.of(ImageFormat.PNG), 90, true);
        BufferedImage ours = TestImages.decode(VIPS.transform(orientedJpeg(orientation), sameSize, LIMITS).bytes());
        double diff = difference(ours, reference);
        assertTrue(diff < 1, "mean difference " + diff + " from vips autorot");
    }

    /** Runs the vips command-line tool (libvips-tools) in {@code dir}. */
    static void vipsCli(java.nio.file.Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("vips"));
        command.addAll(List.of(args));
        Process p = TestImages.vipsTool(command.toArray(String[]::new)).directory(dir.toFile()).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "vips " + String.join(" ", args) + ": " + output);
    }

    /** Mean absolute difference per channel of two images of one size. */
    static double difference(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs((a.getRGB(x, y) >> shift & 0xff) - (b.getRGB(x, y) >> shift & 0xff));
                }
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    @Test
    void colourProfilesAreConvertedToSrgbAsVipsIccTransformDoes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        BufferedImage patches = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        int[] colours = {0xd02020, 0x20b040, 0x2040d0, 0xe0c030};
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                patches.setRGB(x, y, colours[(y / 32) * 2 + x / 32]);
            }
        }
        java.nio.file.Files.write(dir.resolve("src.png"), TestImages.encode(patches, "png"));
        vipsCli(dir, "icc_transform", "src.png", "cmyk.jpg[Q=98]", "cmyk");
        vipsCli(dir, "icc_transform", "cmyk.jpg", "cmyk-ref.png[strip]", "srgb");
        vipsCli(dir, "copy", "cmyk.jpg", "bare.jpg[Q=98,strip]");
        vipsCli(dir, "icc_transform", "bare.jpg", "bare-ref.png[strip]", "srgb", "--input-profile", "cmyk");
        vipsCli(dir, "icc_transform", "src.png", "adobe.jpg[Q=98]", "/usr/share/color/icc/ghostscript/a98.icc");
        vipsCli(dir, "icc_transform", "adobe.jpg", "adobe-ref.png[strip]", "srgb");
        TransformSpec same = new TransformSpec(64, 64, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.PNG), 90, true);
        for (String name : List.of("cmyk", "bare", "adobe")) {
            byte[] source = java.nio.file.Files.readAllBytes(dir.resolve(name + ".jpg"));
            BufferedImage ours = TestImages.decode(VIPS.transform(source, same, LIMITS).bytes());
            BufferedImage reference = TestImages.decode(java.nio.file.Files.readAllBytes(dir.resolve(name + "-ref.png")));
            vipsCli(dir, "colourspace", name + ".jpg", name + "-naive.png[strip]", "srgb");
            BufferedImage naive = TestImages.decode(java.nio.file.Files.readAllBytes(dir.resolve(name + "-naive.png")));
            double diff = difference(ours, reference);
            // thumbnail's colour path lands within a few levels of icc_transform's, not on it exactly
            assertTrue(diff < 8, name + ": mean difference " + diff + " from vips icc_transform");
            assertTrue(diff < difference(naive, reference) / 2 || difference(naive, reference) < 8,
                    name + ": profile used, unlike a conversion ignoring it (" + diff + " vs " + difference(naive, reference) + ")");
        }
    }

    /** 200x400: top half red, bottom half blue; left and right halves differ in green. */
    static byte[] quadrants() {
        BufferedImage image = new BufferedImage(200, 400, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 400; y++) {
            for (int x = 0; x < 200; x++) {
                image.setRGB(x, y, (y < 200 ? 0xff0000 : 0x0000ff) | (x < 100 ? 0 : 0x00ff00));
            }
        }
        return TestImages.encode(image, "png");
    }

    static TransformSpec gravity(int w, int h, Fit fit, Gravity gravity, TransformSpec.Effects effects) {
        return new TransformSpec(w, h, fit, gravity, false, Optional.of(ImageFormat.PNG), 90, true, effects);
    }

    @Test
    void directionalGravityCropAndExtend() {
        byte[] quadrants = quadrants();
        long before = VIPS.trackedBytes();
        BufferedImage north = TestImages.decode(VIPS.transform(quadrants, gravity(100, 100, Fit.FILL, Gravity.NORTH,
                TransformSpec.Effects.NONE), LIMITS).bytes());
        assertEquals(100, north.getWidth());
        assertEquals(100, north.getHeight());
        assertEquals(0xff, north.getRGB(10, 10) >> 16 & 0xff, "north keeps the red top");
        assertEquals(0xff, north.getRGB(10, 90) >> 16 & 0xff);
        BufferedImage south = TestImages.decode(VIPS.transform(quadrants, gravity(100, 100, Fit.FILL, Gravity.SOUTH,
                TransformSpec.Effects.NONE), LIMITS).bytes());
        assertEquals(0xff, south.getRGB(10, 10) & 0xff, "south keeps the blue bottom");

        TransformSpec.Effects cropEast = new TransformSpec.Effects(true, 0, 0, 0, Optional.empty(),
                Optional.of(new TransformSpec.Crop(0.5, 0.5, Gravity.SOUTH_EAST)), Optional.empty());
        BufferedImage corner = TestImages.decode(VIPS.transform(quadrants, gravity(50, 0, Fit.FIT, Gravity.CENTRE, cropEast),
                LIMITS).bytes());
        assertEquals(50, corner.getWidth());
        assertEquals(100, corner.getHeight());
        assertEquals(0x00ffff, corner.getRGB(25, 50) & 0xffffff, "the south-east quarter: blue and green");

        TransformSpec.Effects extendNorth = new TransformSpec.Effects(true, 0, 0, 0,
                Optional.of(new TransformSpec.Rgb(0, 0, 0)), Optional.empty(), Optional.of(TransformSpec.Anchor.of(Gravity.NORTH)));
        BufferedImage extended = TestImages.decode(VIPS.transform(quadrants, gravity(300, 900, Fit.FIT, Gravity.CENTRE,
                extendNorth), LIMITS).bytes());
        assertEquals(300, extended.getWidth());
        assertEquals(900, extended.getHeight());
        assertEquals(0xff, extended.getRGB(100, 5) >> 16 & 0xff, "the 200x400 image sits at the top: red");
        assertEquals(0, extended.getRGB(100, 895) & 0xffffff, "below it the background");
        assertEquals(0, extended.getRGB(10, 5) & 0xffffff, "centred horizontally: black margins left and right");
        assertFreedTo(before);
    }

    @Test
    void focusPointAndFillDown() {
        byte[] quadrants = quadrants();
        TransformSpec.Layout focusBottomRight = new TransformSpec.Layout(1, 1, 1, 0, 0, 0.9, 0.9, Optional.empty(),
                TransformSpec.Padding.NONE, false, false, 0, 0);
        BufferedImage focused = TestImages.decode(VIPS.transform(quadrants, gravity(100, 100, Fit.FILL, Gravity.FOCUS,
                TransformSpec.Effects.NONE).withLayout(focusBottomRight), LIMITS).bytes());
        assertEquals(100, focused.getHeight());
        int rgb = focused.getRGB(80, 50);
        assertTrue((rgb >> 16 & 0xff) < 40 && (rgb >> 8 & 0xff) > 215 && (rgb & 0xff) > 215,
                "the bottom of the image, towards its blue-green right: " + Integer.toHexString(rgb));

        BufferedImage down = TestImages.decode(VIPS.transform(quadrants, gravity(400, 200, Fit.FILL_DOWN, Gravity.CENTRE,
                TransformSpec.Effects.NONE), LIMITS).bytes());
        assertEquals(200, down.getWidth(), "a 200x400 source is not enlarged to 400x200 ...");
        assertEquals(100, down.getHeight(), "... but cut to its 2:1 shape");
        BufferedImage fill = TestImages.decode(VIPS.transform(quadrants, gravity(100, 50, Fit.FILL_DOWN, Gravity.CENTRE,
                TransformSpec.Effects.NONE), LIMITS).bytes());
        assertEquals(100, fill.getWidth(), "a source larger than the box: a plain fill");
        assertEquals(50, fill.getHeight());
    }

    /** An animated GIF whose frames show for {@code delayCs} hundredths of a second each, looping forever. */
    static byte[] gifWithDelays(int width, int height, int frames, int delayCs) throws Exception {
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("gif").next();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream out = javax.imageio.ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < frames; i++) {
                BufferedImage frame = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
                java.awt.Graphics2D g = frame.createGraphics();
                g.setColor(Color.getHSBColor(i / (float) frames, 0.8f, 0.9f));
                g.fillRect(0, 0, width, height);
                g.dispose();
                javax.imageio.metadata.IIOMetadata meta = writer.getDefaultImageMetadata(
                        javax.imageio.ImageTypeSpecifier.createFromRenderedImage(frame), null);
                String name = meta.getNativeMetadataFormatName();
                javax.imageio.metadata.IIOMetadataNode root = (javax.imageio.metadata.IIOMetadataNode) meta.getAsTree(name);
                javax.imageio.metadata.IIOMetadataNode control = child(root, "GraphicControlExtension");
                control.setAttribute("disposalMethod", "none");
                control.setAttribute("userInputFlag", "FALSE");
                control.setAttribute("transparentColorFlag", "FALSE");
                control.setAttribute("delayTime", Integer.toString(delayCs));
                control.setAttribute("transparentColorIndex", "0");
                if (i == 0) {
                    javax.imageio.metadata.IIOMetadataNode app = new javax.imageio.metadata.IIOMetadataNode("ApplicationExtension");
                    app.setAttribute("applicationID", "NETSCAPE");
                    app.setAttribute("authenticationCode", "2.0");
                    app.setUserObject(new byte[]{1, 0, 0});
                    child(root, "ApplicationExtensions").appendChild(app);
                }
                meta.setFromTree(name, root);
                writer.writeToSequence(new javax.imageio.IIOImage(frame, null, meta), null);
            }
            writer.endWriteSequence();
        }
        return bytes.toByteArray();
    }

    static javax.imageio.metadata.IIOMetadataNode child(javax.imageio.metadata.IIOMetadataNode parent, String name) {
        for (int i = 0; i < parent.getLength(); i++) {
            if (parent.item(i).getNodeName().equals(name)) {
                return (javax.imageio.metadata.IIOMetadataNode) parent.item(i);
            }
        }
        javax.imageio.metadata.IIOMetadataNode node = new javax.imageio.metadata.IIOMetadataNode(name);
        parent.appendChild(node);
        return node;
    }

    /** Each frame's delay (hundredths of a second) in a GIF, read with the JDK's GIF reader. */
    static List<Integer> gifDelays(byte[] gif) throws Exception {
        try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(
                new java.io.ByteArrayInputStream(gif))) {
            javax.imageio.ImageReader reader = javax.imageio.ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            List<Integer> delays = new java.util.ArrayList<>();
            for (int i = 0; i < reader.getNumImages(true); i++) {
                javax.imageio.metadata.IIOMetadata meta = reader.getImageMetadata(i);
                javax.imageio.metadata.IIOMetadataNode root = (javax.imageio.metadata.IIOMetadataNode)
                        meta.getAsTree(meta.getNativeMetadataFormatName());
                delays.add(Integer.parseInt(child(root, "GraphicControlExtension").getAttribute("delayTime")));
            }
            return delays;
        }
    }

    @Test
    void heicAndAvifInputs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.write(dir.resolve("src.png"), TestImages.png(160, 120));
        vipsCli(dir, "copy", "src.png", "photo.heic[compression=hevc]");
        vipsCli(dir, "copy", "src.png", "photo.avif");
        TransformSpec keep = new TransformSpec(80, 0, Fit.FIT, Gravity.CENTRE, false, Optional.empty(), 80, true);
        byte[] heic = java.nio.file.Files.readAllBytes(dir.resolve("photo.heic"));
        assertEquals(ImageFormat.HEIC, VIPS.probe(heic).format());
        if (TestImages.sharpLibvips()) {
            // sharp's build has libheif without an HEVC decoder: refused as a format it cannot read
            VipsException refused = assertThrows(VipsException.class, () -> VIPS.transform(heic, keep, LIMITS));
            assertEquals(VipsException.Reason.UNSUPPORTED_FORMAT, refused.reason(), refused.getMessage());
        } else {
            EncodedImage fromHeic = VIPS.transform(heic, keep, LIMITS);
            assertEquals(ImageFormat.JPEG, fromHeic.format(), "HEIC is read, not written: JPEG");
            assertEquals(60, TestImages.decode(fromHeic.bytes()).getHeight());
        }
        byte[] avif = java.nio.file.Files.readAllBytes(dir.resolve("photo.avif"));
        assertEquals(ImageFormat.AVIF, VIPS.probe(avif).format());
        EncodedImage fromAvif = VIPS.transform(avif, keep.withQuality(60), LIMITS);
        assertEquals(ImageFormat.AVIF, fromAvif.format());
        assertEquals(80, fromAvif.width());
    }

    /** The NETSCAPE loop count of a GIF (0 = forever), or -1 when it has none (plays once). */
    static int gifLoops(byte[] gif) throws Exception {
        try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(
                new java.io.ByteArrayInputStream(gif))) {
            javax.imageio.ImageReader reader = javax.imageio.ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            javax.imageio.metadata.IIOMetadata meta = reader.getImageMetadata(0);
            javax.imageio.metadata.IIOMetadataNode root = (javax.imageio.metadata.IIOMetadataNode)
                    meta.getAsTree(meta.getNativeMetadataFormatName());
            javax.imageio.metadata.IIOMetadataNode apps = child(root, "ApplicationExtensions");
            for (int i = 0; i < apps.getLength(); i++) {
                javax.imageio.metadata.IIOMetadataNode app = (javax.imageio.metadata.IIOMetadataNode) apps.item(i);
                if ("NETSCAPE".equals(app.getAttribute("applicationID")) && app.getUserObject() instanceof byte[] data) {
                    return Byte.toUnsignedInt(data[1]) | Byte.toUnsignedInt(data[2]) << 8;
                }
            }
            return -1;
        }
    }

    @Test
    void frameDelaysSurviveTheResize() throws Exception {
        byte[] gif = gifWithDelays(90, 60, 4, 25);
        assertEquals(List.of(25, 25, 25, 25), gifDelays(gif));
        assertEquals(0, gifLoops(gif), "the source loops forever");
        TransformSpec fit = new TransformSpec(45, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.GIF), 80, true);
        byte[] resized = VIPS.transform(gif, fit, LIMITS).bytes();
        assertEquals(List.of(25, 25, 25, 25), gifDelays(resized));
        assertEquals(0, gifLoops(resized), "and so does the result");
        TransformSpec fill = new TransformSpec(30, 30, Fit.FILL, Gravity.CENTRE, false, Optional.of(ImageFormat.GIF), 80, true);
        assertEquals(List.of(25, 25, 25, 25), gifDelays(VIPS.transform(gif, fill, LIMITS).bytes()), "also when cut frame by frame");
    }

    @Test
    void sixteenBitAndGreyscaleInputs() {
        BufferedImage deep = new BufferedImage(80, 40, BufferedImage.TYPE_USHORT_GRAY);
        java.awt.image.WritableRaster raster = deep.getRaster();
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 80; x++) {
                raster.setSample(x, y, 0, x < 40 ? 0x2000 : 0xc000);
            }
        }
        byte[] png16 = TestImages.encode(deep, "png");
        TransformSpec half = new TransformSpec(40, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.JPEG), 95, true);
        BufferedImage out = TestImages.decode(VIPS.transform(png16, half, LIMITS).bytes());
        assertEquals(40, out.getWidth());
        // samples, not getRGB: the JDK treats grey images as linear when it converts them to sRGB
        assertEquals(0x20, out.getRaster().getSample(5, 10, 0), 3, "16-bit levels scaled to 8 bits, not clipped");
        assertEquals(0xc0, out.getRaster().getSample(35, 10, 0), 3);

        BufferedImage grey = new BufferedImage(80, 40, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 80; x++) {
                grey.getRaster().setSample(x, y, 0, 90);
            }
        }
        byte[] greyJpeg = TestImages.encode(grey, "jpg");
        for (ImageFormat format : List.of(ImageFormat.JPEG, ImageFormat.PNG, ImageFormat.WEBP)) {
            TransformSpec spec = new TransformSpec(40, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(format), 95, true);
            java.awt.image.Raster g = TestImages.decode(VIPS.transform(greyJpeg, spec, LIMITS).bytes()).getRaster();
            for (int band = 0; band < g.getNumBands(); band++) {
                assertEquals(90, g.getSample(20, 10, band), 3, format + " band " + band + ": the same grey");
            }
        }
    }

    @Test
    void animationsStayAnimatedWhereTheFormatCanShowThem() {
        byte[] gif = TestImages.animatedGif(120, 80, 6);
        long before = VIPS.trackedBytes();
        TransformSpec toGif = new TransformSpec(60, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.GIF), 80, true);
        EncodedImage small = VIPS.transform(gif, toGif, LIMITS);
        ImageInfo info = VIPS.probe(small.bytes());
        assertEquals(6, info.frames(), "every frame kept");
        assertEquals(60, info.width());
        assertEquals(40, info.height(), "the height of one frame");
        TransformSpec toWebp = new TransformSpec(60, 60, Fit.FILL, Gravity.CENTRE, false, Optional.of(ImageFormat.WEBP), 80, true);
        ImageInfo webp = VIPS.probe(VIPS.transform(gif, toWebp, LIMITS).bytes());
        assertEquals(6, webp.frames());
        assertEquals(60, webp.height());
        TransformSpec toJpeg = new TransformSpec(60, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.JPEG), 80, true);
        ImageInfo jpeg = VIPS.probe(VIPS.transform(gif, toJpeg, LIMITS).bytes());
        assertEquals(1, jpeg.frames(), "JPEG cannot animate: the first frame");
        assertEquals(40, jpeg.height());
        assertFreedTo(before);
    }

    @Test
    void autoFillsWhenOrientationsMatchAndFitsWhenNot() {
        ImageInfo landscape = new ImageInfo(ImageFormat.JPEG, 1200, 800, 1, 1, false);
        TransformSpec auto = new TransformSpec(300, 100, Fit.AUTO, Gravity.CENTRE, false, Optional.empty(), 80, true);
        assertEquals(new ResultGeometry.Size(300, 100), ResultGeometry.result(ResultGeometry.plan(auto, landscape, LIMITS), auto),
                "both landscape: a fill");
        TransformSpec portraitBox = new TransformSpec(200, 300, Fit.AUTO, Gravity.CENTRE, false, Optional.empty(), 80, true);
        assertEquals(new ResultGeometry.Size(200, 133),
                ResultGeometry.result(ResultGeometry.plan(portraitBox, landscape, LIMITS), portraitBox), "a fit");
        ImageInfo standing = new ImageInfo(ImageFormat.JPEG, 1200, 800, 1, 6, false);
        assertEquals(new ResultGeometry.Size(200, 300),
                ResultGeometry.result(ResultGeometry.plan(portraitBox, standing, LIMITS), portraitBox),
                "orientation 6 stands the landscape photo up: a fill");
        BufferedImage out = TestImages.decode(VIPS.transform(PHOTO, portraitBox, LIMITS).bytes());
        assertEquals(200, out.getWidth());
        assertEquals(133, out.getHeight());
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
        assertEquals(ImageFormat.TIFF, TestImages.sniff(fromTiff.bytes()), "TIFF is written as TIFF, as imgproxy does");
        assertEquals(25, TestImages.decode(fromTiff.bytes()).getHeight());
        assertEquals(ImageFormat.JPEG, ImageFormat.HEIC.output(), "HEIC, read but not written, becomes JPEG");
        assertEquals(ImageFormat.PNG, ImageFormat.SVG.output());
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
        // refused from the sniff, before librsvg parses it: broken XML would otherwise be CORRUPT_INPUT
        byte[] brokenSvg = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><g><<<".getBytes(StandardCharsets.UTF_8);
        assertReason(Reason.UNSUPPORTED_FORMAT, () -> VIPS.validate(brokenSvg, LIMITS));
        assertReason(Reason.UNSUPPORTED_FORMAT, () -> VIPS.transform(brokenSvg, spec, LIMITS));
        // still healthy afterwards
        assertEquals(100, VIPS.transform(PHOTO, spec, LIMITS).width());
        TransformSpec keep = new TransformSpec(10, 0, Fit.FIT, Gravity.CENTRE, false, Optional.empty(), 80, true);
        EncodedImage svg = VIPS.transform("<svg xmlns='http://www.w3.org/2000/svg' width='20' height='10'/>"
                .getBytes(StandardCharsets.UTF_8), keep, new ImageLimits(50_000_000, 256, true));
        assertEquals(ImageFormat.PNG, svg.format(), "a sanitised SVG, when the caller allows it, becomes a PNG");
        assertEquals(5, svg.height());
    }

    @Test
    void frameLimitComesFromHeader() {
        byte[] gif = TestImages.animatedGif(40, 40, 5);
        assertEquals(5, VIPS.probe(gif).frames());
        assertReason(Reason.LIMIT_EXCEEDED,
                () -> VIPS.transform(gif, spec(20, 20, Fit.FIT, ImageFormat.PNG), new ImageLimits(1_000_000, 4)));
        assertEquals(20, VIPS.transform(gif, spec(20, 20, Fit.FIT, ImageFormat.PNG), LIMITS).width());
    }

    /**
     * libvips's error buffer is process-global: its text, which may be another thread's, goes to
     * the detail for logs, never into the message a client sees.
     */
    @Test
    void libvipsTextStaysOutOfTheMessage() {
        VipsException broken = assertThrows(VipsException.class, () -> VIPS.transform(TestImages.truncatedJpeg(),
                spec(100, 100, Fit.FIT, ImageFormat.PNG), LIMITS));
        assertEquals(Reason.CORRUPT_INPUT, broken.reason());
        assertFalse(broken.detail().isBlank(), "libvips said why");
        assertFalse(broken.getMessage().contains(broken.detail()), broken.getMessage());
        assertFalse(broken.getMessage().matches("(?is).*(vips|jpeg|load|premature).*"), broken.getMessage());
        assertTrue(broken.toString().contains(broken.detail()), "logs get libvips's words");
    }

    private static void assertReason(Reason reason, Runnable call) {
        VipsException e = assertThrows(VipsException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
