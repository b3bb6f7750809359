package io.imgedge.vips;

import io.imgedge.vips.VipsException.Reason;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The last step: the image written in the output format at the spec's quality, its metadata stripped when asked. */
final class Encoder {
    /** What stripping removes, by name (an animation's frame layout, delays and loop count stay). */
    private static final List<String> STRIPPED_FIELDS = List.of("exif-data", "xmp-data", "iptc-data", "icc-profile-data",
            "gif-comment", "orientation");
    private static final List<MemoryLayout> WRITE_TO_BUFFER = List.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS);

    private Encoder() {
    }

    static byte[] encode(Native n, MemorySegment image, ImageFormat format, TransformSpec spec) throws Throwable {
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

    private static byte[] save(Native n, MemorySegment image, ImageFormat format, TransformSpec spec, String strip)
            throws Throwable {
        String suffix = switch (format) {
            case JPEG -> ".jpg[Q=" + spec.quality() + ",optimize_coding=true," + strip + "]";
            case PNG -> ".png[" + strip + "]";
            case WEBP -> ".webp[Q=" + spec.quality() + "," + strip + "]";
            case AVIF -> ".avif[Q=" + spec.quality() + ",compression=av1," + strip + "]";
            case GIF -> ".gif[" + strip + "]";
            case HEIC, TIFF, SVG -> throw new IllegalArgumentException("cannot write " + format);
        };
        MemorySegment outBuf = n.arena.allocate(ADDRESS);
        MemorySegment outLen = n.arena.allocate(JAVA_LONG);
        if ((int) n.lib.callVariadic(n.arena, "vips_image_write_to_buffer", java.lang.foreign.ValueLayout.JAVA_INT,
                WRITE_TO_BUFFER, List.of(image, n.arena.allocateFrom(suffix), outBuf, outLen), List.of()) != 0) {
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
