package io.imgedge.vips;

import io.imgedge.vips.Drawing.Align;
import io.imgedge.vips.Drawing.Box;
import io.imgedge.vips.Drawing.Colour;
import io.imgedge.vips.TransformSpec.Fit;
import io.imgedge.vips.TransformSpec.Gravity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drawings decoded back: layers where their boxes say, text inked inside its box only, cut and shrunk as asked. */
class DrawTest {
    static final Vips VIPS = VipsTest.VIPS;
    static final ImageLimits LIMITS = new ImageLimits(50_000_000, 100);
    static final TransformSpec PNG = new TransformSpec(0, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.PNG), 80, true);
    static final Colour BLACK = new Colour(0, 0, 0, 1);
    static final String FONT = "DejaVu Sans";

    static BufferedImage draw(int width, int height, Drawing.Layer... layers) {
        EncodedImage image = VIPS.draw(new Drawing(width, height, Colour.WHITE, List.of(layers)), PNG, LIMITS);
        assertEquals(ImageFormat.PNG, image.format());
        BufferedImage decoded = TestImages.decode(image.bytes());
        assertEquals(width, decoded.getWidth());
        assertEquals(height, decoded.getHeight());
        return decoded;
    }

    static boolean near(int rgb, int r, int g, int b) {
        return Math.abs((rgb >> 16 & 255) - r) < 12 && Math.abs((rgb >> 8 & 255) - g) < 12 && Math.abs((rgb & 255) - b) < 12;
    }

    /** The smallest rectangle holding every pixel darker than mid grey, or null for none. */
    static Rectangle ink(BufferedImage image) {
        Rectangle box = null;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if ((rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255) < 3 * 128) {
                    box = box == null ? new Rectangle(x, y, 1, 1) : box.union(new Rectangle(x, y, 1, 1));
                }
            }
        }
        return box;
    }

    static byte[] solidPng(int width, int height, Color colour) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return TestImages.encode(image, "png");
    }

    @Test
    void rectanglesAndTheirCorners() {
        BufferedImage image = draw(400, 300, new Drawing.Rect(new Box(10, 10, 100, 50), new Colour(255, 0, 0, 1), 0),
                new Drawing.Rect(new Box(200, 10, 100, 100), new Colour(0, 0, 255, 1), 30),
                new Drawing.Rect(new Box(10, 150, 100, 100), new Colour(0, 0, 0, 0.5), 0));
        assertTrue(near(image.getRGB(50, 30), 255, 0, 0));
        assertTrue(near(image.getRGB(5, 5), 255, 255, 255), "outside: the canvas");
        assertTrue(near(image.getRGB(250, 60), 0, 0, 255));
        assertTrue(near(image.getRGB(202, 12), 255, 255, 255), "a rounded corner");
        assertTrue(near(image.getRGB(50, 200), 128, 128, 128), "half black over white");
    }

    @Test
    void picturesCoverOrFitTheirBox() {
        byte[] wide = solidPng(200, 100, new Color(0, 160, 0));
        BufferedImage image = draw(300, 300,
                new Drawing.Picture(ByteBuffer.wrap(wide), new Box(0, 0, 100, 100), true, 0, 1),
                new Drawing.Picture(ByteBuffer.wrap(wide), new Box(150, 0, 100, 100), false, 0, 1),
                new Drawing.Picture(ByteBuffer.wrap(wide), new Box(0, 150, 100, 100), true, 40, 0.5));
        assertTrue(near(image.getRGB(5, 5), 0, 160, 0), "cover fills the box");
        assertTrue(near(image.getRGB(95, 95), 0, 160, 0));
        assertTrue(near(image.getRGB(105, 50), 255, 255, 255), "and not past it");
        assertTrue(near(image.getRGB(200, 10), 255, 255, 255), "contain: 100x50, centred, so not at the top");
        assertTrue(near(image.getRGB(200, 50), 0, 160, 0));
        assertTrue(near(image.getRGB(50, 200), 128, 207, 128), "half faded");
        assertTrue(near(image.getRGB(2, 152), 255, 255, 255), "rounded");
    }

    /** A covering picture is cropped where its anchor says: a direction, a focus point. */
    @Test
    void picturesAreCroppedWhereTheirAnchorSays() {
        BufferedImage halves = new BufferedImage(300, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = halves.createGraphics();
        g.setColor(new Color(220, 0, 0));
        g.fillRect(0, 0, 150, 100);
        g.setColor(new Color(0, 0, 220));
        g.fillRect(150, 0, 150, 100);
        g.dispose();
        byte[] png = TestImages.encode(halves, "png");
        for (Object[] c : new Object[][]{{Gravity.WEST, 0.0, 0.0, 220, 0}, {Gravity.EAST, 0.0, 0.0, 0, 220},
                {Gravity.FOCUS, 0.9, 0.5, 0, 220}, {Gravity.FOCUS, 0.1, 0.5, 220, 0}}) {
            TransformSpec.Anchor anchor = new TransformSpec.Anchor((Gravity) c[0], (double) c[1], (double) c[2]);
            BufferedImage image = draw(100, 100, new Drawing.Picture(ByteBuffer.wrap(png), new Box(0, 0, 100, 100), true, anchor, 0, 1));
            int rgb = image.getRGB(50, 50);
            assertTrue(near(rgb, (int) c[3], 0, (int) c[4]), c[0] + " " + c[1] + ": " + Integer.toHexString(rgb));
            assertTrue(near(image.getRGB(2, 50), (int) c[3], 0, (int) c[4]) && near(image.getRGB(97, 50), (int) c[3], 0, (int) c[4]),
                    "all one half: " + c[0] + " " + c[1]);
        }
        BufferedImage tall = draw(100, 200, new Drawing.Picture(ByteBuffer.wrap(png), new Box(0, 0, 100, 200), true,
                new TransformSpec.Anchor(Gravity.SMART, 0, 0), 0, 1));
        assertEquals(200, tall.getHeight(), "enlarged to cover a box taller than the picture");
    }

    @Test
    void textIsInkedInsideItsBoxOnly() {
        Box box = new Box(40, 100, 320, 60);
        BufferedImage image = draw(400, 300, new Drawing.Text("Hello, Hive", FONT + " Bold", 32, BLACK, box, Align.LEFT, 0, false));
        Rectangle ink = ink(image);
        assertNotNull(ink, "some text");
        assertTrue(new Rectangle(box.x(), box.y(), box.width(), box.height()).contains(ink), ink.toString());
        assertTrue(ink.width > 100 && ink.height > 15, ink.toString());
        Rectangle centred = ink(draw(400, 300, new Drawing.Text("Hi", FONT, 32, BLACK, box, Align.CENTRE, 0, false)));
        assertTrue(Math.abs(centred.getCenterX() - 200) < 6, centred.toString());
        Rectangle right = ink(draw(400, 300, new Drawing.Text("Hi", FONT, 32, BLACK, box, Align.RIGHT, 0, false)));
        assertTrue(right.getMaxX() > 350 && right.getMaxX() <= 360, right.toString());
    }

    @Test
    void longTextIsCutToItsLinesWithAnEllipsisOrShrunkToFit() {
        String words = "The quick brown fox jumps over the lazy dog and keeps running far beyond the end of the box";
        Box box = new Box(10, 10, 200, 200);
        Rectangle all = ink(draw(220, 220, new Drawing.Text(words, FONT, 20, BLACK, box, Align.LEFT, 0, false)));
        Rectangle two = ink(draw(220, 220, new Drawing.Text(words, FONT, 20, BLACK, box, Align.LEFT, 2, false)));
        Rectangle one = ink(draw(220, 220, new Drawing.Text(words, FONT, 20, BLACK, box, Align.LEFT, 1, false)));
        assertTrue(all.height > 3 * two.height / 2, all + " " + two);
        assertTrue(two.height > one.height * 3 / 2 && two.height < one.height * 3, two + " " + one);
        Box small = new Box(10, 10, 120, 40);
        Rectangle shrunk = ink(draw(220, 220, new Drawing.Text(words, FONT, 20, BLACK, small, Align.LEFT, 0, true)));
        assertTrue(new Rectangle(10, 10, 120, 40).contains(shrunk), shrunk.toString());
    }

    /** Text is never markup: what Pango would read as tags is drawn as it is. */
    @Test
    void markupIsDrawnAsText() {
        Box box = new Box(0, 0, 400, 60);
        Rectangle plain = ink(draw(400, 60, new Drawing.Text("<b>bold</b> & co", FONT, 24, BLACK, box, Align.LEFT, 0, false)));
        Rectangle shorter = ink(draw(400, 60, new Drawing.Text("bold & co", FONT, 24, BLACK, box, Align.LEFT, 0, false)));
        assertTrue(plain.width > shorter.width + 40, "the tags are drawn: " + plain + " " + shorter);
        assertNull(ink(draw(100, 100, new Drawing.Text("", FONT, 24, BLACK, new Box(0, 0, 100, 100), Align.LEFT, 0, false))));
    }

    @Test
    void aPictureOverTheLimitsIsRefusedBeforeItIsDecoded() {
        byte[] big = TestImages.pngHeaderOnly(50_000, 50_000);
        VipsException refused = org.junit.jupiter.api.Assertions.assertThrows(VipsException.class, () -> VIPS.draw(new Drawing(100,
                100, Colour.WHITE, List.of(new Drawing.Picture(ByteBuffer.wrap(big), new Box(0, 0, 50, 50), true, 0, 1))), PNG, LIMITS));
        assertEquals(VipsException.Reason.LIMIT_EXCEEDED, refused.reason());
    }

    @Test
    void aTruncatedPictureIsAnError() {
        VipsException broken = org.junit.jupiter.api.Assertions.assertThrows(VipsException.class, () -> VIPS.draw(new Drawing(100,
                100, Colour.WHITE, List.of(new Drawing.Picture(ByteBuffer.wrap(TestImages.truncatedJpeg()), new Box(0, 0, 50, 50),
                true, 0, 1))), PNG, LIMITS));
        assertEquals(VipsException.Reason.CORRUPT_INPUT, broken.reason());
    }

    /** A font of a fonts directory is used by its family: a copy of DejaVu Sans Mono renamed, so only that directory has it. */
    @Test
    void fontsOfAFontsDirectoryAreUsedByTheirFamily(@TempDir Path dir) throws Exception {
        byte[] mono = Files.readAllBytes(Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"));
        for (java.nio.charset.Charset charset : List.of(StandardCharsets.US_ASCII, StandardCharsets.UTF_16BE)) {
            mono = replaced(mono, "DejaVu Sans Mono".getBytes(charset), "Imgedge Tst Mono".getBytes(charset));
        }
        Files.write(dir.resolve("imgedge-test-mono.ttf"), mono);
        Box box = new Box(0, 0, 400, 60);
        Drawing.Text text = new Drawing.Text("iiiiiiii", "Imgedge Tst Mono", 24, BLACK, box, Align.LEFT, 0, false);
        Rectangle fallback = ink(draw(400, 60, text));
        assertEquals(1, VIPS.addFonts(dir));
        Rectangle own = ink(draw(400, 60, text));
        assertTrue(own.width > fallback.width * 3 / 2, "monospaced i's are wide: " + own + " against the fallback's " + fallback);
    }

    private static byte[] replaced(byte[] data, byte[] from, byte[] to) {
        byte[] out = data.clone();
        for (int i = 0; i + from.length <= out.length; i++) {
            if (java.util.Arrays.equals(out, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, out, i, to.length);
            }
        }
        return out;
    }

    @Test
    void coloursParse() {
        assertEquals(new Colour(255, 0, 0, 1), Colour.parse("#f00"));
        assertEquals(new Colour(18, 52, 86, 1), Colour.parse("#123456"));
        assertEquals(0, Colour.parse("#12345600").alpha());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Colour.parse("red"));
    }
}
