package io.imgedge.proxy.net;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * One meaning per remote source URL, decided before any allow-list match, cache key or fetch,
 * so that what is checked is what is fetched: percent-encoded unreserved characters decoded
 * ({@code %2e} is a dot, {@code %7E} a tilde), dot segments removed as RFC 3986 5.2.4 says
 * ({@code /allowed/../other} is {@code /other}), and what a server may read as a separator
 * ({@code %2F}, {@code %5C}, {@code \}) or an IPv4 address spelled in a way readers disagree on
 * ({@code 0177.0.0.1} is 127.0.0.1 to browsers and 177.0.0.1 to Java) refused. Pure.
 */
public final class RemoteUrls {
    private static final Pattern CANONICAL_IPV4 =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    /** A label WHATWG's host parser reads as a number: then the whole host is an IPv4 address. */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");
    private static final String HEX = "0123456789ABCDEF";

    private RemoteUrls() {
    }

    /**
     * @throws IllegalArgumentException naming what is refused
     */
    public static URI normalize(URI uri) {
        String host = uri.getHost();
        if (host != null && !host.startsWith("[")) {
            checkNumericHost(host);
        }
        String raw = uri.getRawPath();
        String path = raw == null || raw.isEmpty() ? "/" : removeDotSegments(decodeUnreserved(raw));
        if (path.equals(raw)) {
            return uri;
        }
        try {
            return new URI(uri.getScheme() + "://" + uri.getRawAuthority() + path
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URL: " + e.getReason());
        }
    }

    /** Refuses a host that is an IPv4 address in any spelling but the plain dotted-decimal one. */
    static void checkNumericHost(String host) {
        String[] labels = host.split("\\.", -1);
        String last = labels[labels.length - 1].isEmpty() && labels.length > 1 ? labels[labels.length - 2]
                : labels[labels.length - 1];
        if (NUMERIC_LABEL.matcher(last).matches() && !CANONICAL_IPV4.matcher(host).matches()) {
            throw new IllegalArgumentException("host '" + host
                    + "' is a number in a spelling readers disagree on: write the address as four plain decimal parts");
        }
    }

    /** Unreserved characters decoded, other escapes upper-cased; an escaped slash or backslash refused. */
    static String decodeUnreserved(String path) {
        if (path.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("a backslash in the path");
        }
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            int value = c == '%' ? escaped(path, i) : -1;
            if (value < 0) {
                out.append(c);
                continue;
            }
            char decoded = (char) value;
            if (decoded == '/' || decoded == '\\') {
                throw new IllegalArgumentException("an encoded " + (decoded == '/' ? "slash (%2F)" : "backslash (%5C)")
                        + " in the path");
            }
            if (Character.isLetterOrDigit(decoded) && decoded < 0x80 || "-._~".indexOf(decoded) >= 0) {
                out.append(decoded);
            } else {
                out.append('%').append(HEX.charAt(value >> 4)).append(HEX.charAt(value & 0xf));
            }
            i += 2;
        }
        return out.toString();
    }

    /** The byte a {@code %XX} at {@code at} stands for, or -1 when it is no escape. */
    private static int escaped(String s, int at) {
        if (at + 2 >= s.length()) {
            return -1;
        }
        int high = HEX.indexOf(Character.toUpperCase(s.charAt(at + 1)));
        int low = HEX.indexOf(Character.toUpperCase(s.charAt(at + 2)));
        return high < 0 || low < 0 ? -1 : high << 4 | low;
    }

    /** RFC 3986 section 5.2.4. */
    static String removeDotSegments(String path) {
        String in = path;
        StringBuilder out = new StringBuilder(path.length());
        while (!in.isEmpty()) {
            if (in.startsWith("../")) {
                in = in.substring(3);
            } else if (in.startsWith("./") || in.startsWith("/./")) {
                in = in.substring(2);
            } else if (in.equals("/.")) {
                in = "/";
            } else if (in.startsWith("/../") || in.equals("/..")) {
                in = in.length() == 3 ? "/" : in.substring(3);
                out.setLength(Math.max(0, out.lastIndexOf("/")));
            } else if (in.equals(".") || in.equals("..")) {
                in = "";
            } else {
                int next = in.indexOf('/', in.startsWith("/") ? 1 : 0);
                next = next < 0 ? in.length() : next;
                out.append(in, 0, next);
                in = in.substring(next);
            }
        }
        return out.isEmpty() ? "/" : out.toString();
    }
}
