package io.imgedge.proxy.hive;

import io.imgedge.proxy.config.HiveConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.net.QueryStrings;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.ProcessingRequest;
import io.imgedge.proxy.url.ResizingType;
import io.imgedge.proxy.url.Source;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec.Gravity;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Hive imagehoster's proxy URLs, read as its proxy.ts reads them, so Hive frontends work
 * unchanged: {@code /p/{base58(url)}[.png|.webp]?width=&height=&mode=cover|fit&format=...}.
 * Sizes are read as JavaScript's {@code parseInt} reads them ({@code 100px} is 100, {@code abc}
 * none) and capped, not refused. {@code cover} (the default) scales to cover the size and crops,
 * enlarging as sharp's cover does; {@code fit} fits within it, never enlarging, within
 * {@code max_image_width x max_image_height} for a side not given; with neither size the image
 * is capped to those. {@code fit} with no size and {@code format=match} serves a GIF as it is
 * (its frames kept). A URL on one of our own hosts is ours: its {@code /p/} is unwrapped, its
 * {@code /{hash}/...} is read from the store; any other {@code /p/...} is a third party's image.
 * With the imagehoster's proxy store configured, a web original is looked for there first,
 * under the key the imagehoster gave it.
 * Legacy {@code /{w}x{h}/{url}} paths are redirected to this form. Pure.
 */
public final class HiveUrls {
    private static final int MAX_NESTING = 4;

    private final HiveConfig config;
    private final int maxSide;

    /** @param maxSide the largest side any result may have ({@code limits.max_result_side}) */
    public HiveUrls(HiveConfig config, int maxSide) {
        this.config = config;
        this.maxSide = maxSide;
    }

    /**
     * @param encoded the segment after {@code /p/}
     * @param query   the raw query string, or null
     * @throws HttpError 400 for a bad encoding or parameter
     */
    public ProcessingRequest parse(String encoded, String query) {
        URI url = ours(parseUrl(encoded));
        Map<String, String> params = params(query);
        int width = side(params, "width", config.sizes().customWidth());
        int height = side(params, "height", config.sizes().customHeight());
        boolean cover = switch (params.getOrDefault("mode", "cover")) {
            case "cover" -> true;
            case "fit" -> false;
            default -> throw HttpError.badRequest("Invalid scaling mode: '" + params.get("mode") + "' is not cover or fit");
        };
        String formatName = params.getOrDefault("format", "match");
        Optional<ImageFormat> format = switch (formatName) {
            case "match" -> Optional.empty();
            case "jpeg", "jpg" -> Optional.of(ImageFormat.JPEG);
            case "png" -> Optional.of(ImageFormat.PNG);
            case "webp" -> Optional.of(ImageFormat.WEBP);
            case "avif" -> Optional.of(ImageFormat.AVIF);
            default -> throw HttpError.badRequest("Invalid output format: '" + formatName
                    + "' is not match, jpeg, jpg, png, webp or avif");
        };
        Source source = source(url);
        ProcessingOptions options;
        if (cover && width > 0 && height > 0) {
            options = new ProcessingOptions(ResizingType.FILL, width, height, true, Gravity.CENTRE, 0, format);
        } else if (cover && (width > 0 || height > 0)) {
            options = new ProcessingOptions(ResizingType.FIT, width, height, true, Gravity.CENTRE, 0, format);
        } else {
            int w = Math.min(width > 0 ? width : config.sizes().width(), maxSide);
            int h = Math.min(height > 0 ? height : config.sizes().height(), maxSide);
            options = new ProcessingOptions(ResizingType.FIT, w, h, false, Gravity.CENTRE, 0, format);
            if (!cover && width == 0 && height == 0 && format.isEmpty()) {
                options = gifAsItIs(options);
            }
        }
        return new ProcessingRequest(options, source);
    }

    /**
     * Where a legacy {@code /{w}x{h}/{url}} path moved: its {@code /p/} form, fitted, in the
     * source's format; an editor-preview {@code token} in the URL's query moves to ours.
     */
    public static String legacyLocation(int width, int height, String url) {
        String source = url.replace("steemit.com/ipfs/", "ipfs.io/ipfs/");
        int question = source.indexOf('?');
        Optional<String> token = question < 0 ? Optional.empty() : token(source.substring(question + 1));
        if (token.isPresent()) {
            String kept = Stream.of(source.substring(question + 1).split("&"))
                    .filter(p -> !p.equals("token") && !p.startsWith("token=")).collect(Collectors.joining("&"));
            source = source.substring(0, question) + (kept.isEmpty() ? "" : "?" + kept);
        }
        StringBuilder location = new StringBuilder("/p/").append(Base58.encode(source.getBytes(StandardCharsets.UTF_8)))
                .append("?format=match&mode=fit");
        if (width > 0) {
            location.append("&width=").append(width);
        }
        if (height > 0) {
            location.append("&height=").append(height);
        }
        token.ifPresent(t -> location.append("&token=").append(URLEncoder.encode(t, StandardCharsets.UTF_8)));
        return location.toString();
    }

    /** The editor-preview {@code token} a query carries, if any. */
    public static Optional<String> token(String query) {
        if (query == null || !query.contains("token=")) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(params(query).get("token")).filter(t -> !t.isEmpty());
        } catch (HttpError malformed) {
            return Optional.empty();
        }
    }

    private static ProcessingOptions gifAsItIs(ProcessingOptions options) {
        ProcessingOptions.Adjustments a = ProcessingOptions.Adjustments.NONE;
        return new ProcessingOptions(options.resizingType(), options.width(), options.height(), options.enlarge(),
                options.gravity(), options.quality(), options.format(), new ProcessingOptions.Adjustments(a.layout(),
                a.stripMetadata(), a.effects(), a.expires(), a.raw(), a.cachebuster(), a.delivery(), a.formatQuality(),
                Set.of(ImageFormat.GIF), a.sourceLimits(), a.watermark()));
    }

    /** Follows our own {@code /p/} URLs down to the image they proxy. */
    private URI ours(URI url) {
        for (int i = 0; i < MAX_NESTING; i++) {
            String path = url.getRawPath();
            if (!config.ownHost(url.getHost()) || path == null || !path.startsWith("/p/") || path.length() <= 3
                    || path.indexOf('/', 3) >= 0) {
                return url;
            }
            url = parseUrl(path.substring(3));
        }
        throw HttpError.badRequest("image URL nested too deep");
    }

    /** An upload of ours is read from the store; anything else must be on the web. */
    private Source source(URI url) {
        String path = url.getRawPath();
        if (config.ownHost(url.getHost()) && path != null && path.length() > HiveKeys.UPLOAD_KEY_LENGTH) {
            int end = path.indexOf('/', 1);
            String key = path.substring(1, end < 0 ? path.length() : end);
            if (HiveKeys.isUploadKey(key)) {
                return new Source.Stored(HiveKeys.objectName(key, config.partitioned()));
            }
        }
        // unsigned: only what the imagehoster proxies, never this node's files, store or buckets
        if (!(Source.parse(url.toString()) instanceof Source.Remote remote)) {
            throw HttpError.badRequest("the image URL must be http or https");
        }
        if (config.proxyStore().isEmpty()) {
            return remote;
        }
        // where the imagehoster keeps this URL's original: the SHA-1 of its WHATWG spelling
        return new Source.Archived(remote, HiveKeys.objectName(HiveKeys.proxied(WhatwgUrls.serialize(url.toString())),
                config.partitioned()));
    }

    private static URI parseUrl(String encoded) {
        String text = encoded.endsWith(".webp") || encoded.endsWith(".png")
                ? encoded.substring(0, encoded.lastIndexOf('.')) : encoded;
        String url;
        try {
            url = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base58.decode(text))).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw HttpError.badRequest("the image URL is not base58-encoded UTF-8");
        }
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null) {
                throw HttpError.badRequest("the image URL must be http or https");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("the image URL is not a URL");
        }
    }

    private static Map<String, String> params(String query) {
        return QueryStrings.parse(query);
    }

    /**
     * A size as {@code Number.parseInt(value) || undefined} reads it (leading digits after
     * optional spaces and sign; none, or 0, is no size), capped to {@code cap}.
     *
     * @throws HttpError 400 for a negative size
     */
    private static int side(Map<String, String> params, String name, int cap) {
        String value = params.get(name);
        if (value == null) {
            return 0;
        }
        String text = value.stripLeading();
        int i = 0;
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        long number = 0;
        boolean digits = false;
        while (i < text.length() && Character.isDigit(text.charAt(i)) && text.charAt(i) < 128) {
            number = Math.min(number * 10 + (text.charAt(i) - '0'), Integer.MAX_VALUE);
            digits = true;
            i++;
        }
        if (!digits || number == 0) {
            return 0;
        }
        if (negative) {
            throw HttpError.badRequest(name + " must not be negative");
        }
        return (int) Math.min(number, cap);
    }
}
