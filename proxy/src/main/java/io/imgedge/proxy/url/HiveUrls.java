package io.imgedge.proxy.url;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec.Gravity;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Hive imagehoster's proxy URLs, so Hive frontends work unchanged:
 * {@code /p/{base58(url)}?width=&height=&mode=cover|fit&format=match|jpeg|png|webp}. Without a size
 * the image is fitted within 1280x8000; {@code mode=cover} (the default) crops to the size, {@code fit}
 * keeps the whole image; {@code format=match} keeps the source's format. A URL that is itself an
 * imagehoster {@code /p/} URL is unwrapped. Legacy {@code /{w}x{h}/{url}} paths are redirected to
 * this form. Pure.
 */
public final class HiveUrls {
    static final int CAP_WIDTH = 1280;
    static final int CAP_HEIGHT = 8000;
    private static final int MAX_NESTING = 4;

    private final int maxSide;

    public HiveUrls(int maxSide) {
        this.maxSide = maxSide;
    }

    /**
     * @param encoded the base58 segment after {@code /p/}
     * @param query   the raw query string, or null
     * @throws HttpError 400 for a bad encoding or parameter
     */
    public ProcessingRequest parse(String encoded, String query) {
        String url = unwrap(decode(encoded));
        Map<String, String> params = params(query);
        int width = side(params, "width");
        int height = side(params, "height");
        String mode = params.getOrDefault("mode", "cover");
        if (!mode.equals("cover") && !mode.equals("fit")) {
            throw HttpError.badRequest("mode: '" + mode + "' is not cover or fit");
        }
        Optional<ImageFormat> format = switch (params.getOrDefault("format", "match")) {
            case "match" -> Optional.empty();
            case "jpeg", "jpg" -> Optional.of(ImageFormat.JPEG);
            case "png" -> Optional.of(ImageFormat.PNG);
            case "webp" -> Optional.of(ImageFormat.WEBP);
            default -> throw HttpError.badRequest("format: '" + params.get("format") + "' is not match, jpeg, png or webp");
        };
        ResizingType type = mode.equals("cover") && width > 0 && height > 0 ? ResizingType.FILL : ResizingType.FIT;
        if (width == 0 && height == 0) {
            width = Math.min(CAP_WIDTH, maxSide);
            height = Math.min(CAP_HEIGHT, maxSide);
        }
        // unsigned: only what the imagehoster proxies, never this node's files, store or buckets
        if (!(Source.parse(url) instanceof Source.Remote remote)) {
            throw HttpError.badRequest("the image URL must be http or https");
        }
        return new ProcessingRequest(new ProcessingOptions(type, width, height, false, Gravity.CENTRE, 0, format), remote);
    }

    /** Where a legacy {@code /{w}x{h}/{url}} path moved: its {@code /p/} form. */
    public static String legacyLocation(int width, int height, String url) {
        StringBuilder location = new StringBuilder("/p/").append(Base58.encode(url.getBytes(StandardCharsets.UTF_8)));
        String sep = "?";
        if (width > 0) {
            location.append(sep).append("width=").append(width);
            sep = "&";
        }
        if (height > 0) {
            location.append(sep).append("height=").append(height);
        }
        return location.toString();
    }

    private static String decode(String encoded) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base58.decode(encoded))).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw HttpError.badRequest("the image URL is not base58-encoded UTF-8");
        }
    }

    /** An imagehoster proxy URL inside the URL names the real one: follow it down. */
    private static String unwrap(String url) {
        for (int i = 0; i < MAX_NESTING; i++) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                return url;
            }
            String path = uri.getRawPath();
            if (path == null || !path.startsWith("/p/") || path.length() <= 3 || path.indexOf('/', 3) >= 0) {
                return url;
            }
            url = decode(path.substring(3));
        }
        throw HttpError.badRequest("image URL nested too deep");
    }

    private static Map<String, String> params(String query) {
        Map<String, String> params = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        try {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                params.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("malformed query string");
        }
        return params;
    }

    private int side(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            int side = Integer.parseInt(value);
            if (side < 0 || side > maxSide) {
                throw HttpError.badRequest(name + ": " + side + " is out of range 0.." + maxSide);
            }
            return side;
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + ": '" + value + "' is not a number");
        }
    }
}
