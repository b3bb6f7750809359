package io.imgedge.proxy.url;

import io.imgedge.proxy.config.SourcesConfig;
import io.imgedge.proxy.error.HttpError;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A processing URL's source part as text, imgproxy's way ({@code options/parser/url.go}):
 * {@code plain/{percent-encoded}[@ext]} or base64url pieces {@code [.ext]} (optionally followed
 * by a file name segment), then the configured replacements and base URL. Pure.
 *
 * @param url       the source URL, decoded and rewritten
 * @param extension the output format asked for after it, or null
 */
record SourceText(String url, String extension) {
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]{1,8}");

    static SourceText decode(List<String> parts, boolean base64Filename, SourcesConfig.Rewrite rewrite) {
        String url;
        String extension;
        if (parts.getFirst().equals("plain") && parts.size() > 1) {
            String plain = String.join("/", parts.subList(1, parts.size()));
            int at = plain.lastIndexOf('@');
            boolean suffix = at >= 0 && (at == plain.length() - 1 || EXTENSION.matcher(plain.substring(at + 1)).matches());
            extension = suffix && at < plain.length() - 1 ? plain.substring(at + 1) : null;
            url = percentDecode(suffix ? plain.substring(0, at) : plain);
        } else {
            List<String> pieces = base64Filename && parts.size() > 1 ? parts.subList(0, parts.size() - 1) : parts;
            String encoded = String.join("", pieces);
            int dot = encoded.lastIndexOf('.');
            extension = dot >= 0 && dot < encoded.length() - 1 ? encoded.substring(dot + 1) : null;
            url = base64Decode(dot >= 0 ? encoded.substring(0, dot) : encoded);
        }
        if (url.isEmpty()) {
            throw HttpError.badRequest("empty source URL");
        }
        return new SourceText(rewritten(url, rewrite), extension);
    }

    private static String rewritten(String url, SourcesConfig.Rewrite rewrite) {
        String out = url;
        for (SourcesConfig.Replacement r : rewrite.replacements()) {
            out = r.pattern().matcher(out).replaceAll(r.replacement());
        }
        return rewrite.baseUrl().isEmpty() || out.startsWith(rewrite.baseUrl()) ? out : rewrite.baseUrl() + out;
    }

    /** {@code %XX} decoding as Go's PathUnescape: {@code +} stays, bad escapes are errors. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteBuffer bytes = ByteBuffer.allocate(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw HttpError.badRequest("invalid percent-encoding in source URL");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw HttpError.badRequest("invalid percent-encoding in source URL");
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                throw HttpError.badRequest("source URL must be ASCII or percent-encoded");
            }
        }
        bytes.flip();
        return utf8(bytes);
    }

    private static String base64Decode(String s) {
        try {
            return utf8(ByteBuffer.wrap(Base64.getUrlDecoder().decode(s.replace("=", ""))));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("source URL is not valid base64url");
        }
    }

    private static String utf8(ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest("source URL is not valid UTF-8");
        }
    }
}
