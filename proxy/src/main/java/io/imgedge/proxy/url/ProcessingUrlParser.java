package io.imgedge.proxy.url;

import io.imgedge.proxy.error.HttpError;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses imgproxy processing paths:
 * <pre>
 * /{signature}/{option}/.../plain/{percent-encoded source}[@{ext}]
 * /{signature}/{option}/.../{base64url source, may be split by /}[.{ext}]
 * </pre>
 * Options are the segments before the first one without a {@code :}. Thread-safe.
 */
public final class ProcessingUrlParser {
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]{1,8}");

    private final SignatureVerifier signatures;
    private final int maxResultSide;
    private final boolean securityOptions;
    private volatile Map<String, List<String>> presets;

    /**
     * @param presets         option segments by name ({@code pr:name}); {@code default} applies to every URL
     * @param securityOptions whether URLs may lower limits (imgproxy's {@code mrd}, ...)
     */
    public ProcessingUrlParser(SignatureVerifier signatures, int maxResultSide, Map<String, List<String>> presets,
                               boolean securityOptions) {
        this.signatures = signatures;
        this.maxResultSide = maxResultSide;
        this.securityOptions = securityOptions;
        this.presets = Map.copyOf(presets);
    }

    /** A parser that refuses security options. */
    public ProcessingUrlParser(SignatureVerifier signatures, int maxResultSide, Map<String, List<String>> presets) {
        this(signatures, maxResultSide, presets, false);
    }

    /** Uses these presets from now on (reload; check them first with {@link #checkPresets}). */
    public void presets(Map<String, List<String>> fresh) {
        this.presets = Map.copyOf(fresh);
    }

    /**
     * Checks that preset options parse (startup: a broken preset would fail every URL naming it).
     *
     * @throws HttpError naming the first bad option
     */
    public static void checkPresets(int maxResultSide, Map<String, List<String>> presets, boolean securityOptions) {
        for (List<String> options : presets.values()) {
            new OptionParser(maxResultSide, presets, securityOptions).parse(options);
        }
    }

    /**
     * @param rawPath the request path as sent, without query string
     * @throws HttpError 400 for malformed URLs and options, 403 for bad signatures
     */
    public ProcessingRequest parse(String rawPath) {
        if (!rawPath.startsWith("/")) {
            throw HttpError.badRequest("path must start with /");
        }
        int second = rawPath.indexOf('/', 1);
        if (second < 0) {
            throw HttpError.badRequest("path has no options or source after the signature");
        }
        signatures.verify(rawPath.substring(1, second), rawPath.substring(second));

        List<String> segments = Arrays.asList(rawPath.substring(second + 1).split("/", -1));
        int sourceStart = 0;
        while (sourceStart < segments.size() && segments.get(sourceStart).contains(":")) {
            sourceStart++;
        }
        if (sourceStart == segments.size()) {
            throw HttpError.badRequest("path has no source URL");
        }
        ProcessingOptions options = new OptionParser(maxResultSide, presets, securityOptions).parse(segments.subList(0, sourceStart));
        List<String> sourceParts = segments.subList(sourceStart, segments.size());
        String extension;
        String source;
        if (sourceParts.get(0).equals("plain")) {
            String plain = String.join("/", sourceParts.subList(1, sourceParts.size()));
            int at = plain.lastIndexOf('@');
            boolean suffix = at >= 0 && (at == plain.length() - 1 || EXTENSION.matcher(plain.substring(at + 1)).matches());
            extension = suffix && at < plain.length() - 1 ? plain.substring(at + 1) : null;
            source = percentDecode(suffix ? plain.substring(0, at) : plain);
        } else {
            String encoded = String.join("", sourceParts);
            int dot = encoded.lastIndexOf('.');
            extension = dot >= 0 && dot < encoded.length() - 1 ? encoded.substring(dot + 1) : null;
            source = base64Decode(dot >= 0 ? encoded.substring(0, dot) : encoded);
        }
        if (source.isEmpty()) {
            throw HttpError.badRequest("empty source URL");
        }
        if (extension != null) {
            options = options.withFormat(OptionParser.outputFormat(extension));
        }
        return new ProcessingRequest(options, Source.parse(source));
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
