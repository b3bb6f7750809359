package io.imgedge.proxy.image;

import io.imgedge.proxy.net.PercentEncoding;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.Source;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * imgproxy's {@code fn} and {@code att} as a {@code Content-Disposition} value (RFC 6266): the
 * file name asked for, else the source's last path segment, without its extension, plus the
 * result's. ASCII only: the plain {@code filename} has anything else replaced, and a name that
 * is not plain ASCII is also given as {@code filename*} (RFC 8187). Pure.
 */
final class Disposition {
    /** Replies that ask for nothing carry no Content-Disposition. */
    static final String NONE = "";

    private Disposition() {
    }

    static String of(ProcessingOptions.Delivery delivery, Source source, String extension) {
        if (delivery.equals(ProcessingOptions.Delivery.INLINE)) {
            return NONE;
        }
        String name = delivery.filename().orElseGet(() -> stem(source)) + "." + extension;
        String type = delivery.attachment() ? "attachment" : "inline";
        String plain = plain(name);
        return plain.equals(name) ? type + "; filename=\"" + plain + "\""
                : type + "; filename=\"" + plain + "\"; filename*=UTF-8''" + encoded(name);
    }

    private static String stem(Source source) {
        String canonical = source.canonical();
        int query = canonical.indexOf('?');
        String path = query >= 0 ? canonical.substring(0, query) : canonical;
        String last = path.substring(path.lastIndexOf('/') + 1);
        try {
            last = URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // a name as sent is still a name
        }
        int dot = last.lastIndexOf('.');
        String stem = dot > 0 ? last.substring(0, dot) : last;
        return stem.isEmpty() ? "image" : stem;
    }

    /** Printable ASCII but quotes and backslashes (quoted-string safe); the rest becomes {@code _}. */
    private static String plain(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '_'));
        return out.toString();
    }

    /** RFC 8187 value characters, the rest percent-encoded as UTF-8. */
    private static String encoded(String name) {
        return PercentEncoding.encode(name, "!#$&+-.^_`|~");
    }
}
