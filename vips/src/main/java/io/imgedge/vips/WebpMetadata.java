package io.imgedge.vips;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Removes the metadata chunks ({@code ICCP}, {@code EXIF}, {@code XMP }) from a WebP file and
 * clears their flags in {@code VP8X}: libvips 8.14.1's webpsave ignores {@code strip} and
 * always writes an EXIF block of its own (resolution, dimensions). Image and animation chunks
 * are kept byte for byte. Pure.
 */
final class WebpMetadata {
    private static final int ICC_FLAG = 0x20;
    private static final int EXIF_FLAG = 0x08;
    private static final int XMP_FLAG = 0x04;

    private WebpMetadata() {
    }

    /** {@code webp} without its metadata chunks; the same array when it has none or is not a well-formed WebP. */
    static byte[] strip(byte[] webp) {
        if (webp.length < 12 || !ascii(webp, 0, "RIFF") || !ascii(webp, 8, "WEBP")) {
            return webp;
        }
        ByteBuffer in = ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN);
        byte[] out = new byte[webp.length];
        int written = 12;
        int at = 12;
        while (at + 8 <= webp.length) {
            long size = Integer.toUnsignedLong(in.getInt(at + 4));
            if (at + 8 + size > webp.length) {
                return webp; // not well-formed: left to the decoder to refuse
            }
            int next = (int) Math.min(at + 8 + size + (size & 1), webp.length);
            if (!ascii(webp, at, "ICCP") && !ascii(webp, at, "EXIF") && !ascii(webp, at, "XMP ")) {
                System.arraycopy(webp, at, out, written, next - at);
                if (ascii(webp, at, "VP8X") && size >= 1) {
                    out[written + 8] &= (byte) ~(ICC_FLAG | EXIF_FLAG | XMP_FLAG);
                }
                written += next - at;
            }
            at = next;
        }
        if (written == webp.length) {
            return webp;
        }
        System.arraycopy(webp, 0, out, 0, 12);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(4, written - 8);
        return java.util.Arrays.copyOf(out, written);
    }

    private static boolean ascii(byte[] bytes, int at, String fourcc) {
        return at + 4 <= bytes.length && new String(bytes, at, 4, StandardCharsets.US_ASCII).equals(fourcc);
    }
}
