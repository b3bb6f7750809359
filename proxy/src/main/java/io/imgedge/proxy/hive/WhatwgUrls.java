package io.imgedge.proxy.hive;

import io.imgedge.proxy.net.PercentEncoding;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An http(s) URL spelt as the WHATWG URL Standard serialises it ({@code new URL(s).toString()} in
 * Node), which is what the imagehoster hashes into a proxied original's key: scheme and host in
 * lower case, the host in punycode, the default port dropped, an empty path as {@code /}, dot
 * segments resolved, backslashes as slashes, and the characters the standard's percent-encode
 * sets name (spaces, quotes, angle brackets, braces, backticks, non-ASCII) percent-encoded in
 * the path, query and fragment, existing escapes kept. Pure.
 */
final class WhatwgUrls {
    private static final String PATH_ESCAPED = " \"#<>?`{}";
    private static final String QUERY_ESCAPED = " \"#<>'";
    private static final String FRAGMENT_ESCAPED = " \"<>`";

    private WhatwgUrls() {
    }

    /** @throws IllegalArgumentException when {@code url} is not an http(s) URL with a host */
    static String serialize(String url) {
        String text = url.strip().replace('\\', '/');
        int colon = text.indexOf("://");
        String scheme = colon < 0 ? "" : text.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("not an http(s) URL");
        }
        String rest = text.substring(colon + 3);
        int hash = rest.indexOf('#');
        String fragment = hash < 0 ? null : rest.substring(hash + 1);
        rest = hash < 0 ? rest : rest.substring(0, hash);
        int question = rest.indexOf('?');
        String query = question < 0 ? null : rest.substring(question + 1);
        rest = question < 0 ? rest : rest.substring(0, question);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "/" : rest.substring(slash);
        StringBuilder out = new StringBuilder(scheme).append("://").append(authority(scheme, authority))
                .append(escape(dotSegments(path), PATH_ESCAPED));
        if (query != null) {
            out.append('?').append(escape(query, QUERY_ESCAPED));
        }
        if (fragment != null) {
            out.append('#').append(escape(fragment, FRAGMENT_ESCAPED));
        }
        return out.toString();
    }

    private static String authority(String scheme, String authority) {
        int at = authority.lastIndexOf('@');
        String userinfo = at < 0 ? "" : authority.substring(0, at + 1);
        String hostPort = authority.substring(at + 1);
        String host = hostPort;
        String port = "";
        int portColon = hostPort.lastIndexOf(':');
        if (portColon >= 0 && hostPort.indexOf(']', portColon) < 0) {
            host = hostPort.substring(0, portColon);
            port = hostPort.substring(portColon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        String ascii = host.startsWith("[") ? host.toLowerCase(Locale.ROOT)
                : IDN.toASCII(host, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        String defaultPort = scheme.equals("http") ? "80" : "443";
        String normalPort = port.replaceFirst("^0+(?=\\d)", "");
        boolean dropPort = port.isEmpty() || normalPort.equals(defaultPort);
        return userinfo + ascii + (dropPort ? "" : ":" + normalPort);
    }

    /** The path with {@code .} and {@code ..} segments (also spelt {@code %2e}) resolved. */
    private static String dotSegments(String path) {
        List<String> out = new ArrayList<>();
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i].toLowerCase(Locale.ROOT).replace("%2e", ".");
            boolean last = i == segments.length - 1;
            if (segment.equals("..")) {
                if (!out.isEmpty()) {
                    out.removeLast();
                }
                if (last) {
                    out.add("");
                }
            } else if (segment.equals(".")) {
                if (last) {
                    out.add("");
                }
            } else {
                out.add(segments[i]);
            }
        }
        return "/" + String.join("/", out);
    }

    /** {@code text} with controls, non-ASCII and the characters of {@code set} percent-encoded (UTF-8). */
    private static String escape(String text, String set) {
        return PercentEncoding.encode(text, c -> c > 0x20 && c < 0x7f && set.indexOf(c) < 0);
    }
}
