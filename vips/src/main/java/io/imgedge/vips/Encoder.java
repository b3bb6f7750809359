package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;
import io.imgedge.vips.VipsException.Reason;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The last step: the image written in the output format at the spec's quality, its metadata stripped when asked. */
final class Encoder {
    /** What stripping removes, by name (an animation's frame layout, delays and loop count stay). */
    private static final List<String> STRIPPED_FIELDS = List.of("exif-data", "xmp-data", "iptc-data", "icc-profile-data",
            "gif-comment", "orientation");
    private static final List<MemoryLayout> WRITE_TO_BUFFER = List.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final List<MemoryLayout> MAGICK_TO_BUFFER = List.of(ADDRESS, ADDRESS, ADDRESS);
    /** Formats whose size a lower quality makes smaller ({@code max_bytes}). */
    private static final Set<ImageFormat> LOSSY = EnumSet.of(ImageFormat.JPEG, ImageFormat.WEBP, ImageFormat.AVIF,
            ImageFormat.JXL);
    /** Below this quality {@code max_bytes} stops trying (imgproxy stops below 10). */
    private static final int MIN_FIT_QUALITY = 10;
    /** The largest side an ICO can have (imgproxy scales larger results down to it). */
    private static final int ICON_SIDE = 256;

    private Encoder() {
    }

    /** An image that fits an icon: scaled down to {@value #ICON_SIDE} pixels a side when larger. */
    private static MemorySegment iconSized(Native n, MemorySegment image) throws Throwable {
        int side = Math.max(n.width(image), n.height(image));
        return side <= ICON_SIDE ? image : n.op("vips_resize", image, List.of(JAVA_DOUBLE),
                List.of(ICON_SIDE / (double) side), List.of());
    }

    static byte[] encode(Native n, MemorySegment image, ImageFormat format, TransformSpec spec) throws Throwable {
        int budget = spec.layout().maxBytes();
        if (budget <= 0 || !LOSSY.contains(format)) {
            return encodeOnce(n, image, format, spec);
        }
        MemorySegment made = n.inMemory(image); // made once, encoded as often as it takes
        byte[] encoded = encodeOnce(n, made, format, spec);
        // imgproxy's saveImageToFitBytes: the quality lowered by how far over the budget the last try was
        int quality = spec.quality();
        while (encoded.length > budget && quality > MIN_FIT_QUALITY) {
            double over = encoded.length / (double) budget;
            quality = (int) Math.max(1, Math.round(quality * (over > 3 ? 0.25 : over > 1.5 ? 0.5 : 0.75)));
            encoded = encodeOnce(n, made, format, spec.withQuality(quality));
        }
        return encoded;
    }

    private static byte[] encodeOnce(Native n, MemorySegment image, ImageFormat format, TransformSpec spec) throws Throwable {
        if (!spec.stripMetadata()) {
            return save(n, image, format, spec, "strip=false");
        }
        // The metadata is removed by name for every format: libvips 8.14's webpsave ignores strip
        // (EXIF, XMP and ICC went out with it on), and its strip also drops page-height, which
        // would flatten an animation into one tall frame, so animations are saved without it
        int pageHeight = n.pageHeight(image);
        boolean animated = pageHeight > 0 && pageHeight < n.height(image);
        MemorySegment copy = n.op("vips_copy", image);
        for (String field : STRIPPED_FIELDS) {
            int _ = (int) n.lib.imageRemove.invokeExact(copy, n.arena.allocateFrom(field));
        }
        return save(n, copy, format, spec, "strip=" + !animated);
    }

    /** The libvips saver of each format imgedge writes (the operation {@link Vips#outputs()} looks for). */
    static String saver(ImageFormat format) {
        return switch (format) {
            case JPEG -> "jpegsave_buffer";
            case PNG -> "pngsave_buffer";
            case WEBP -> "webpsave_buffer";
            case AVIF -> "heifsave_buffer";
            case GIF -> "gifsave_buffer";
            case TIFF -> "tiffsave_buffer";
            case JXL -> "jxlsave_buffer";
            case BMP, ICO -> "magicksave_buffer";
            case HEIC, SVG -> throw new IllegalArgumentException("cannot write " + format);
        };
    }

    private static byte[] save(Native n, MemorySegment image, ImageFormat format, TransformSpec spec, String strip)
            throws Throwable {
        MemorySegment outBuf = n.arena.allocate(ADDRESS);
        MemorySegment outLen = n.arena.allocate(JAVA_LONG);
        int status;
        if (format == ImageFormat.BMP || format == ImageFormat.ICO) {
            MemorySegment small = format == ImageFormat.ICO ? iconSized(n, image) : image;
            status = (int) n.lib.callVariadic(n.arena, "vips_magicksave_buffer", JAVA_INT, MAGICK_TO_BUFFER,
                    List.of(small, outBuf, outLen), List.of(new NamedArg("format", format.extension()),
                            new NamedArg("strip", !strip.equals("strip=false"))));
        } else {
            String suffix = switch (format) {
                case JPEG -> ".jpg[Q=" + spec.quality() + ",optimize_coding=true," + strip + "]";
                case PNG -> ".png[" + strip + "]";
                case WEBP -> ".webp[Q=" + spec.quality() + "," + strip + "]";
                case AVIF -> ".avif[Q=" + spec.quality() + ",compression=av1," + strip + "]";
                case GIF -> ".gif[" + strip + "]";
                case TIFF -> ".tif[compression=lzw," + strip + "]";
                // imgproxy's effort for JPEG XL (IMGPROXY_JXL_EFFORT) is 4
                case JXL -> ".jxl[Q=" + spec.quality() + ",effort=4," + strip + "]";
                default -> throw new IllegalArgumentException("cannot write " + format);
            };
            status = (int) n.lib.callVariadic(n.arena, "vips_image_write_to_buffer", JAVA_INT,
                    WRITE_TO_BUFFER, List.of(image, n.arena.allocateFrom(suffix), outBuf, outLen), List.of());
        }
        if (status != 0) {
            // The pipeline is lazy: decoding happens here, so a broken source surfaces here too.
            throw n.failure(Reason.CORRUPT_INPUT, "cannot process image");
        }
        MemorySegment bytes = LibVips.pointerTo(outBuf);
        try {
            byte[] encoded = bytes.reinterpret(outLen.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
            return format == ImageFormat.WEBP && spec.stripMetadata() ? WebpMetadata.strip(encoded) : encoded;
        } finally {
            n.lib.gFree.invokeExact(bytes);
        }
    }
}
