package io.imgedge.proxy.net;

import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;

/** Percent-encoding (RFC 3986 2.1) of UTF-8 text, each use with its own set of characters kept. Pure. */
public final class PercentEncoding {
    private PercentEncoding() {
    }

    /** {@code text} with every byte but ASCII letters, digits and the characters of {@code keep} as {@code %XX}. */
    public static String encode(String text, String keep) {
        return encode(text, c -> c < 0x80 && (Character.isLetterOrDigit(c) || keep.indexOf(c) >= 0));
    }

    /** {@code text} with every byte that {@code keep} does not keep as {@code %XX}. */
    public static String encode(String text, IntPredicate keep) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (keep.test(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
