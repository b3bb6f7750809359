package io.imgedge.proxy.url;

import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.config.SourcesConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageFormat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses imgproxy processing paths:
 * <pre>
 * /{signature}/{option}/.../plain/{percent-encoded source}[@{ext}]
 * /{signature}/{option}/.../{base64url source, may be split by /}[.{ext}][/{file name}]
 * /{signature}/{preset}:{preset}/...   (presets-only URLs)
 * </pre>
 * Options are the segments before the first one without the arguments separator. A path that a
 * CDN or proxy "normalised" is repaired first, as imgproxy repairs it ({@code handlers/path.go}):
 * {@code %3A} in the options is {@code :}, and {@code scheme:/host} in a plain source is
 * {@code scheme://host} ({@code local:/path} is {@code local:///path}); the signature is of the
 * repaired path. Thread-safe.
 */
public final class ProcessingUrlParser {
    private static final Pattern COLLAPSED_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):/([^/])");

    private final SignatureVerifier signatures;
    private final int maxResultSide;
    private final ProcessingConfig.Urls urls;
    private final SourcesConfig.Rewrite rewrite;
    private final Set<ImageFormat> outputs;
    private volatile Map<String, List<String>> presets;

    /**
     * @param presets option segments by name ({@code pr:name}); {@code default} applies to every URL
     * @param urls    imgproxy's URL settings
     * @param rewrite replacements and base URL applied to each source
     * @param outputs the formats results can be written in ({@code Vips.outputs()})
     */
    public ProcessingUrlParser(SignatureVerifier signatures, int maxResultSide, Map<String, List<String>> presets,
                               ProcessingConfig.Urls urls, SourcesConfig.Rewrite rewrite, Set<ImageFormat> outputs) {
        this.signatures = signatures;
        this.maxResultSide = maxResultSide;
        this.urls = urls;
        this.rewrite = rewrite;
        this.outputs = Set.copyOf(outputs);
        this.presets = Map.copyOf(presets);
    }

    /** A parser with imgproxy's default URL settings. */
    public ProcessingUrlParser(SignatureVerifier signatures, int maxResultSide, Map<String, List<String>> presets) {
        this(signatures, maxResultSide, presets, ProcessingConfig.Urls.IMGPROXY, SourcesConfig.Rewrite.NONE,
                Arrays.stream(ImageFormat.values()).filter(ImageFormat::writable).collect(Collectors.toSet()));
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
    public static void checkPresets(int maxResultSide, Map<String, List<String>> presets, ProcessingConfig.Urls urls) {
        for (List<String> options : presets.values()) {
            new OptionParser(maxResultSide, presets, urls, Set.of(ImageFormat.values())).parse(options, false);
        }
    }

    /**
     * @param rawPath the request path as sent, without query string
     * @throws HttpError 400 for malformed URLs and options, 403 for bad signatures and options
     *                   not allowed here
     */
    public ProcessingRequest parse(String rawPath) {
        return parse(rawPath, ClientHints.NONE);
    }

    /** As {@link #parse(String)}, the options starting from the client's hints (when they are read). */
    public ProcessingRequest parse(String rawPath, ClientHints hints) {
        if (!rawPath.startsWith("/")) {
            throw HttpError.badRequest("path must start with /");
        }
        int second = rawPath.indexOf('/', 1);
        if (second < 0 || second == rawPath.length() - 1) {
            throw HttpError.badRequest("path has no options or source after the signature");
        }
        String path = repaired(rawPath.substring(second + 1));
        signatures.verify(rawPath.substring(1, second), "/" + path);

        List<String> segments = Arrays.asList(path.split("/", -1));
        OptionParser parser = new OptionParser(maxResultSide, presets, urls, outputs).hinted(hints);
        int sourceStart = 0;
        ProcessingOptions options;
        if (urls.onlyPresets()) {
            options = parser.presetsOnly(OptionArgs.split(segments.getFirst(), urls.argumentsSeparator()));
            sourceStart = 1;
        } else {
            while (sourceStart < segments.size() && segments.get(sourceStart).contains(urls.argumentsSeparator())) {
                sourceStart++;
            }
            options = parser.parse(segments.subList(0, sourceStart), true);
        }
        if (sourceStart >= segments.size()) {
            throw HttpError.badRequest("path has no source URL");
        }
        SourceText source = SourceText.decode(segments.subList(sourceStart, segments.size()), urls.base64UrlIncludesFilename(),
                rewrite);
        if (source.extension() != null) {
            options = options.withFormat(parser.outputFormat(source.extension()));
        }
        return new ProcessingRequest(options, Source.parse(source.url()));
    }

    /** imgproxy's RedenormalizePath: what CDNs and proxies do to paths, undone. */
    static String repaired(String path) {
        String options;
        String plain;
        if (path.startsWith("plain/")) {
            options = "";
            plain = path.substring("plain/".length());
        } else {
            int at = path.indexOf("/plain/");
            if (at < 0) {
                return path.replace("%3A", ":");
            }
            options = path.substring(0, at);
            plain = path.substring(at + "/plain/".length());
        }
        Matcher collapsed = COLLAPSED_SCHEME.matcher(plain);
        if (collapsed.find()) {
            String scheme = collapsed.group(1);
            plain = scheme + ":/" + (scheme.equals("local") ? "//" : "/") + collapsed.group(2) + plain.substring(collapsed.end());
        }
        String fixed = options.replace("%3A", ":");
        return fixed.isEmpty() ? "plain/" + plain : fixed + "/plain/" + plain;
    }
}
