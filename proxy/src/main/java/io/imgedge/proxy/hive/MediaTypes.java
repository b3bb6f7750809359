package io.imgedge.proxy.hive;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The media type of stored bytes by their first bytes, as the imagehoster's mimeMagic types
 * what it serves; anything not an image we know is {@code application/octet-stream} (never a
 * type a browser would run). Pure.
 */
public final class MediaTypes {
    /** What bytes that are no image we know are served as. */
    public static final String UNKNOWN = "application/octet-stream";

    private MediaTypes() {
    }

    public static String sniff(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate();
        byte[] head = new byte[Math.min(b.remaining(), 512)];
        b.get(head);
        if (starts(head, 0, 0xff, 0xd8, 0xff)) {
            return "image/jpeg";
        }
        if (starts(head, 0, 0x89, 'P', 'N', 'G')) {
            return "image/png";
        }
        if (starts(head, 0, 'G', 'I', 'F', '8')) {
            return "image/gif";
        }
        if (starts(head, 0, 'R', 'I', 'F', 'F') && starts(head, 8, 'W', 'E', 'B', 'P')) {
            return "image/webp";
        }
        if (starts(head, 4, 'f', 't', 'y', 'p') && head.length >= 12) {
            String brand = new String(head, 8, 4, StandardCharsets.US_ASCII);
            return brand.startsWith("avi") ? "image/avif" : brand.startsWith("he") || brand.startsWith("mif") ? "image/heic"
                    : UNKNOWN;
        }
        if (starts(head, 0, 'I', 'I', 42, 0) || starts(head, 0, 'M', 'M', 0, 42)) {
            return "image/tiff";
        }
        if (starts(head, 0, 'B', 'M')) {
            return "image/bmp";
        }
        String text = new String(head, StandardCharsets.ISO_8859_1).stripLeading();
        if (text.startsWith("<svg") || text.startsWith("<?xml") && text.contains("<svg")) {
            return "image/svg+xml";
        }
        return UNKNOWN;
    }

    private static boolean starts(byte[] head, int at, int... expected) {
        if (head.length < at + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((head[at + i] & 0xff) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
