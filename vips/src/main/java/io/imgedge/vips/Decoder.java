package io.imgedge.vips;

import io.imgedge.vips.VipsException.Reason;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** What an image is, from its first bytes and its header: no pixel is decoded here. */
final class Decoder {
    private Decoder() {
    }

    /**
     * The format libvips's loaders recognise, refused unless it is one imgedge accepts.
     *
     * @throws VipsException UNSUPPORTED_FORMAT
     */
    static ImageFormat detect(Native n, MemorySegment buf) throws Throwable {
        MemorySegment loader = (MemorySegment) n.lib.findLoadBuffer.invokeExact(buf, buf.byteSize());
        if (loader.equals(MemorySegment.NULL)) {
            n.lib.takeError();
            throw new VipsException(Reason.UNSUPPORTED_FORMAT, "unrecognised image format");
        }
        String name = Native.cString(loader).toLowerCase(Locale.ROOT);
        if (name.contains("jpeg")) {
            return ImageFormat.JPEG;
        } else if (name.contains("png")) {
            return ImageFormat.PNG;
        } else if (name.contains("webp")) {
            return ImageFormat.WEBP;
        } else if (name.contains("gif")) {
            return ImageFormat.GIF;
        } else if (name.contains("heif")) {
            return isAvif(buf) ? ImageFormat.AVIF : ImageFormat.HEIC;
        } else if (name.contains("svg")) {
            return ImageFormat.SVG;
        } else if (name.contains("tiff")) {
            return ImageFormat.TIFF;
        }
        throw new VipsException(Reason.UNSUPPORTED_FORMAT, "image format not accepted (" + name + ")");
    }

    /** ISO-BMFF brand at offset 8: {@code avif} or {@code avis}. */
    private static boolean isAvif(MemorySegment buf) {
        if (buf.byteSize() < 12) {
            return false;
        }
        String brand = new String(buf.asSlice(8, 4).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
        return brand.equals("avif") || brand.equals("avis");
    }

    /**
     * Size, frames, orientation, alpha and profile from the header.
     *
     * @throws VipsException CORRUPT_INPUT when the header does not read
     */
    static ImageInfo header(Native n, MemorySegment buf, ImageFormat format) throws Throwable {
        MemorySegment image = n.load(buf, "", "cannot read image header");
        int pages = Math.max(1, (int) n.lib.imageGetNPages.invokeExact(image));
        boolean profile = (long) n.lib.imageGetTypeof.invokeExact(image, n.arena.allocateFrom("icc-profile-data")) != 0;
        return new ImageInfo(format, n.width(image), n.height(image), pages, orientation(n, image), n.hasAlpha(image),
                profile);
    }

    private static int orientation(Native n, MemorySegment image) throws Throwable {
        MemorySegment field = n.arena.allocateFrom("orientation");
        if ((long) n.lib.imageGetTypeof.invokeExact(image, field) == 0) {
            return 1;
        }
        MemorySegment value = n.arena.allocate(JAVA_INT);
        if ((int) n.lib.imageGetInt.invokeExact(image, field, value) != 0) {
            n.lib.takeError();
            return 1;
        }
        int orientation = value.get(JAVA_INT, 0);
        return orientation >= 1 && orientation <= 8 ? orientation : 1;
    }
}
