package io.imgedge.vips;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Test images made at test time, and an independent decoder for checking results: the JDK's
 * ImageIO for JPEG, PNG and GIF; for WebP and AVIF the {@code vips} CLI (libvips-tools) turns
 * them into PNG first.
 */
public final class TestImages {
    private TestImages() {
    }

    /** An opaque picture with a gradient and a disc, so crops and resizes are visible. */
    public static BufferedImage picture(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(200, 40, 40), width, height, new Color(30, 60, 220)));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.YELLOW);
        int d = Math.min(width, height) / 3;
        g.fillOval(width / 2 - d / 2, height / 2 - d / 2, d, d);
        g.dispose();
        return image;
    }

    /** A PNG of random pixels (seeded): it hardly compresses, so its size is about 3 bytes a pixel. */
    public static byte[] noisePng(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return encode(image, "png");
    }

    public static byte[] jpeg(int width, int height) {
        return encode(picture(width, height), "jpg");
    }

    public static byte[] png(int width, int height) {
        return encode(picture(width, height), "png");
    }

    /** A PNG that is fully transparent except a red square in the middle. */
    public static byte[] transparentPng(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        return encode(image, "png");
    }

    public static byte[] encode(BufferedImage image, String format) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A looping animated GIF whose frames differ, written by the JDK's GIF encoder. */
    public static byte[] animatedGif(int width, int height, int frames) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ByteArrayOutputStream out = new ByteArrayOutputStream();
             ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < frames; i++) {
                BufferedImage frame = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = frame.createGraphics();
                g.setColor(Color.getHSBColor(i / (float) frames, 0.8f, 0.9f));
                g.fillRect(0, 0, width, height);
                g.dispose();
                writer.writeToSequence(new IIOImage(frame, null, null), null);
            }
            writer.endWriteSequence();
            stream.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** The camera model in {@link #taggedJpeg}'s EXIF. */
    public static final String EXIF_MAKE = "TestCamMake";
    /** The camera model in {@link #taggedJpeg}'s XMP. */
    public static final String XMP_MAKE = "XmpCamMake";

    /**
     * A JPEG carrying what a phone photo carries: EXIF (camera make and a GPS IFD), XMP and an
     * embedded ICC profile (Adobe RGB, from Debian's libgs-common).
     */
    public static byte[] taggedJpeg(int width, int height) {
        byte[] jpeg = jpeg(width, height);
        byte[] make = (EXIF_MAKE + "\0").getBytes(StandardCharsets.US_ASCII);
        int ifd0 = 8;
        int makeAt = ifd0 + 2 + 2 * 12 + 4;
        int gpsAt = makeAt + make.length;
        ByteBuffer tiff = ByteBuffer.allocate(gpsAt + 2 + 12 + 4);
        tiff.put(new byte[]{'M', 'M', 0, 42}).putInt(ifd0);
        tiff.putShort((short) 2);
        tiff.putShort((short) 0x010f).putShort((short) 2).putInt(make.length).putInt(makeAt);
        tiff.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(gpsAt);
        tiff.putInt(0);
        tiff.put(make);
        tiff.putShort((short) 1);
        tiff.putShort((short) 1).putShort((short) 2).putInt(2).put(new byte[]{'N', 0, 0, 0});
        tiff.putInt(0);
        byte[] xmp = ("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
                + " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description"
                + " xmlns:tiff=\"http://ns.adobe.com/tiff/1.0/\" tiff:Make=\"" + XMP_MAKE + "\"/></rdf:RDF></x:xmpmeta>")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] icc;
        try {
            icc = Files.readAllBytes(Path.of("/usr/share/color/icc/ghostscript/a98.icc"));
        } catch (IOException e) {
            throw new UncheckedIOException("the Adobe RGB profile of Debian's libgs-common is missing", e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        segment(out, 0xe1, concat("Exif\0\0".getBytes(StandardCharsets.US_ASCII), tiff.array()));
        segment(out, 0xe1, xmp);
        segment(out, 0xe2, concat("ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII), new byte[]{1, 1}, icc));
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static void segment(ByteArrayOutputStream out, int marker, byte[] data) {
        out.write(0xff);
        out.write(marker);
        out.write((data.length + 2) >> 8);
        out.write((data.length + 2) & 0xff);
        out.writeBytes(data);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /**
     * What metadata an image carries, as libvips-tools' {@code vipsheader -a} lists it and as the
     * file's bytes show it: any of {@code exif}, {@code gps}, {@code xmp}, {@code icc}, and
     * {@code make} when {@link #taggedJpeg}'s camera make is still in the bytes.
     */
    public static java.util.Set<String> metadata(byte[] image) {
        java.util.Set<String> found = new java.util.TreeSet<>();
        String raw = new String(image, StandardCharsets.ISO_8859_1);
        if (raw.contains(EXIF_MAKE) || raw.contains(XMP_MAKE)) {
            found.add("make");
        }
        try {
            Path file = Files.createTempFile("imgedge-meta", ".img");
            try {
                Files.write(file, image);
                Process p = vipsTool("vipsheader", "-a", file.toString()).start();
                String fields = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("vipsheader failed: " + fields);
                }
                for (String line : fields.split("\n")) {
                    if (line.startsWith("exif-data:")) {
                        found.add("exif");
                    } else if (line.startsWith("exif-ifd3-")) {
                        found.add("gps");
                    } else if (line.startsWith("xmp-data:")) {
                        found.add("xmp");
                    } else if (line.startsWith("icc-profile-data:")) {
                        found.add("icc");
                    }
                }
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return found;
    }

    /** One page of {@link #tiff}: a solid colour. */
    public record Page(int width, int height, int rgb) {
    }

    /**
     * A baseline TIFF (uncompressed RGB, one strip a page) written by hand, one IFD per page in
     * order; with {@code loop} the last IFD points back at the first, as a hostile file may.
     */
    public static byte[] tiff(boolean loop, Page... pages) {
        int entries = 10;
        int ifdSize = 2 + entries * 12 + 4;
        int size = 8;
        int[] ifdAt = new int[pages.length];
        int[] dataAt = new int[pages.length];
        for (int i = 0; i < pages.length; i++) {
            ifdAt[i] = size;
            size += ifdSize + 6; // the IFD, then its three BitsPerSample values
            dataAt[i] = size;
            size += pages[i].width() * pages[i].height() * 3;
            size += size & 1;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(new byte[]{'M', 'M', 0, 42}).putInt(ifdAt[0]);
        for (int i = 0; i < pages.length; i++) {
            Page page = pages[i];
            int pixels = page.width() * page.height() * 3;
            out.position(ifdAt[i]);
            out.putShort((short) entries);
            tag(out, 256, 4, 1, page.width());
            tag(out, 257, 4, 1, page.height());
            tag(out, 258, 3, 3, ifdAt[i] + ifdSize);
            tag(out, 259, 3, 1, 1 << 16);
            tag(out, 262, 3, 1, 2 << 16);
            tag(out, 273, 4, 1, dataAt[i]);
            tag(out, 277, 3, 1, 3 << 16);
            tag(out, 278, 4, 1, page.height());
            tag(out, 279, 4, 1, pixels);
            tag(out, 284, 3, 1, 1 << 16);
            out.putInt(i + 1 < pages.length ? ifdAt[i + 1] : loop ? ifdAt[0] : 0);
            out.putShort((short) 8).putShort((short) 8).putShort((short) 8);
            for (int p = 0; p < pixels / 3; p++) {
                out.put((byte) (page.rgb() >> 16)).put((byte) (page.rgb() >> 8)).put((byte) page.rgb());
            }
        }
        return out.array();
    }

    /** A TIFF IFD entry; a SHORT value sits in the upper half of the 4-byte field (big-endian). */
    private static void tag(ByteBuffer out, int tag, int type, int count, int value) {
        out.putShort((short) tag).putShort((short) type).putInt(count).putInt(value);
    }

    /** The first half of a JPEG: a valid header, then the data stops. */
    public static byte[] truncatedJpeg() {
        byte[] full = jpeg(800, 600);
        return Arrays.copyOf(full, full.length / 2);
    }

    /** A PNG whose header claims {@code width x height} RGB pixels, followed by a token IDAT. */
    public static byte[] pngHeaderOnly(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[]{0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** The libvips tests load: Debian's, unless {@code -Dimgedge.vips.library} names another build. */
    public static String vipsLibrary() {
        return System.getProperty("imgedge.vips.library", "libvips.so.42");
    }

    /** Whether that is sharp's build (npm's @img/sharp-libvips): no HEIC decoding, no BMP/ICO/JPEG XL saving. */
    public static boolean sharpLibvips() {
        return vipsLibrary().contains("libvips-cpp");
    }

    /**
     * A libvips-tools command (stderr with stdout). The libvips this JVM loaded set VIPSHOME to
     * its own prefix, where a command would look for its modules: sharp's build says /target,
     * and Debian's tools then lose their HEIF module, so the command does not inherit it.
     */
    public static ProcessBuilder vipsTool(String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("VIPSHOME");
        return builder;
    }

    /** Decodes any image libvips can write, independently of the binding under test. */
    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image != null) {
                return image;
            }
            Path dir = Files.createTempDirectory("imgedge-decode");
            try {
                Path in = dir.resolve("in");
                Path out = dir.resolve("out.png");
                Files.write(in, bytes);
                Process p = vipsTool("vips", "copy", in.toString(), out.toString()).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("vips copy failed: " + log);
                }
                return ImageIO.read(out.toFile());
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The format a result's magic bytes say, independently of libvips. */
    public static ImageFormat sniff(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 16), StandardCharsets.ISO_8859_1);
        if (b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
            return ImageFormat.JPEG;
        } else if (head.startsWith("\u0089PNG")) {
            return ImageFormat.PNG;
        } else if (head.startsWith("RIFF") && head.startsWith("WEBP", 8)) {
            return ImageFormat.WEBP;
        } else if (head.startsWith("GIF8")) {
            return ImageFormat.GIF;
        } else if (head.startsWith("ftypavif", 4)) {
            return ImageFormat.AVIF;
        } else if (head.startsWith("II*\u0000") || head.startsWith("MM\u0000*")) {
            return ImageFormat.TIFF;
        } else if (head.startsWith("BM")) {
            return ImageFormat.BMP;
        } else if (head.startsWith("\u0000\u0000\u0001\u0000")) {
            return ImageFormat.ICO;
        } else if (b.length > 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0x0a || head.startsWith("\u0000\u0000\u0000\u000cJXL ")) {
            return ImageFormat.JXL;
        }
        throw new AssertionError("not a known image: " + head);
    }
}
