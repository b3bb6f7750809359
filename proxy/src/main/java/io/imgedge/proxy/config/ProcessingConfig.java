package io.imgedge.proxy.config;


import io.imgedge.vips.ImageFormat;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Image defaults ({@code imgedge.processing}) and response freshness.
 *
 * @param maxAge      {@code Cache-Control: max-age} of processed images
 * @param autoFormats formats offered by {@code Accept} when a URL names none, best first; empty = off
 * @param presets     option segments by preset name ({@code pr:name}; {@code default} applies to every URL)
 * @param formatQuality default quality per output format, over {@code quality}
 * @param urls          how processing URLs are read
 * @param watermark     the image {@code wm} lays over results
 * @param enforceFormats formats that {@code Accept} earns even when the URL names another
 *                       (imgproxy's IMGPROXY_ENFORCE_AVIF, _WEBP, _JXL), best first; empty = off
 * @param rasterizeSvg   whether an SVG source with no format named is drawn (imgproxy's
 *                       IMGPROXY_ALWAYS_RASTERIZE_SVG); false = passed through as SVG, sanitised
 * @param skipFormats    sources in these formats are served as they are (imgproxy's
 *                       IMGPROXY_SKIP_PROCESSING_FORMATS; URLs add to them with {@code skp})
 * @param passthrough    which of the origin's headers responses pass on
 */
public record ProcessingConfig(int quality, boolean stripMetadata, Duration maxAge, List<ImageFormat> autoFormats,
                               Map<String, List<String>> presets, Map<ImageFormat, Integer> formatQuality, Urls urls,
                               Watermark watermark, List<ImageFormat> enforceFormats, boolean rasterizeSvg,
                               Set<ImageFormat> skipFormats, Passthrough passthrough) {

    /**
     * The origin's headers that responses pass on.
     *
     * @param lastModified       its Last-Modified, and If-Modified-Since answered by it
     *                           (imgproxy's IMGPROXY_USE_LAST_MODIFIED)
     * @param lastModifiedBuster epoch millis no Last-Modified passed on is earlier than, 0 = none
     *                           (IMGPROXY_LAST_MODIFIED_BUSTER)
     * @param cacheControl       its Cache-Control, else its Expires as a max-age, instead of
     *                           {@code max_age} (IMGPROXY_CACHE_CONTROL_PASSTHROUGH)
     */
    public record Passthrough(boolean lastModified, long lastModifiedBuster, boolean cacheControl) {
        public static final Passthrough NONE = new Passthrough(false, 0, false);
    }

    /**
     * imgproxy's IMGPROXY_WATERMARK_PATH, _URL, _DATA (base64) and _OPACITY: at most one source is
     * set; none = {@code wm} does nothing, as in imgproxy.
     */
    public record Watermark(String path, String url, String data, double opacity) {
        public static final Watermark NONE = new Watermark("", "", "", 1);

        public boolean configured() {
            return !path.isEmpty() || !url.isEmpty() || !data.isEmpty();
        }
    }

    /**
     * imgproxy's URL settings.
     *
     * @param argumentsSeparator        between an option's name and arguments ({@code IMGPROXY_ARGUMENTS_SEPARATOR})
     * @param base64UrlIncludesFilename a base64 source is followed by a file name segment, ignored
     * @param onlyPresets               the options segment is a list of presets ({@code IMGPROXY_ONLY_PRESETS})
     * @param allowedOptions            the options a URL may name (presets may name any); empty = all
     * @param securityOptions           whether URLs may lower limits with {@code mrd} and kin
     *                                  ({@code IMGPROXY_ALLOW_SECURITY_OPTIONS})
     * @param clientHints               whether the DPR and Width client hints set a URL's defaults
     *                                  ({@code IMGPROXY_ENABLE_CLIENT_HINTS})
     */
    public record Urls(String argumentsSeparator, boolean base64UrlIncludesFilename, boolean onlyPresets,
                       Set<String> allowedOptions, boolean securityOptions, boolean clientHints) {
        public static final Urls IMGPROXY = new Urls(":", false, false, Set.of(), false, false);

        /** Settings that read no client hints. */
        public Urls(String argumentsSeparator, boolean base64UrlIncludesFilename, boolean onlyPresets,
                    Set<String> allowedOptions, boolean securityOptions) {
            this(argumentsSeparator, base64UrlIncludesFilename, onlyPresets, allowedOptions, securityOptions, false);
        }
    }
    private static Set<ImageFormat> skipFormats(Section c) {
        Set<ImageFormat> formats = EnumSet.noneOf(ImageFormat.class);
        for (String name : c.root().getStringList(c.key("skip_processing_formats"))) {
            formats.add(name.equalsIgnoreCase("svg") ? ImageFormat.SVG : ImageFormat.fromExtension(name)
                    .orElseThrow(() -> ConfigValues.bad(c, "skip_processing_formats", "'" + name + "' is not an image format")));
        }
        return Set.copyOf(formats);
    }

    private static Passthrough passthrough(Section c) {
        String buster = c.getString("origin_headers.last_modified_buster").strip();
        long busterMillis = 0;
        if (!buster.isEmpty()) {
            try {
                busterMillis = Instant.parse(buster).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw ConfigValues.bad(c, "origin_headers.last_modified_buster", "'" + buster
                        + "' is not a time such as 2026-12-01T00:00:00Z");
            }
        }
        return new Passthrough(c.getBoolean("origin_headers.last_modified"), busterMillis - busterMillis % 1000,
                c.getBoolean("origin_headers.cache_control"));
    }

    /** Formats a client's {@code Accept} may choose: WebP, AVIF, JPEG XL. */
    private static List<ImageFormat> negotiable(Section c, String key) {
        List<ImageFormat> formats = new ArrayList<>();
        for (String name : c.root().getStringList(c.key(key))) {
            formats.add(ImageFormat.fromExtension(name)
                    .filter(f -> f == ImageFormat.WEBP || f == ImageFormat.AVIF || f == ImageFormat.JXL)
                    .orElseThrow(() -> ConfigValues.bad(c, key, "'" + name + "' is not webp, avif or jxl")));
        }
        return List.copyOf(formats);
    }

    static ProcessingConfig from(Section c) {
        Duration maxAge = c.getDuration("max_age");
        if (maxAge.isNegative()) {
            throw ConfigValues.bad(c, "max_age", "must be >= 0");
        }
        List<ImageFormat> auto = negotiable(c, "auto_formats");
        List<ImageFormat> enforced = negotiable(c, "enforce_formats");
        Map<String, List<String>> presets = new HashMap<>();
        for (String preset : c.root().getStringList(c.key("presets"))) {
            int eq = preset.indexOf('=');
            if (eq <= 0 || eq == preset.length() - 1 || presets.containsKey(preset.substring(0, eq).strip())) {
                throw ConfigValues.bad(c, "presets", "'" + preset + "' is not name=options (each name once)");
            }
            presets.put(preset.substring(0, eq).strip(), List.of(preset.substring(eq + 1).strip().split("/")));
        }
        Map<ImageFormat, Integer> formatQuality = new EnumMap<>(ImageFormat.class);
        for (String entry : c.root().getStringList(c.key("format_quality"))) {
            String[] parts = entry.split("=", 2);
            Optional<ImageFormat> format = ImageFormat.fromExtension(parts[0].strip()).filter(ImageFormat::writable);
            int q;
            try {
                q = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : -1;
            } catch (NumberFormatException e) {
                q = -1;
            }
            if (format.isEmpty() || q < 1 || q > 100) {
                throw ConfigValues.bad(c, "format_quality", "'" + entry + "' is not format=quality (a format imgedge writes; 1..100)");
            }
            formatQuality.put(format.get(), q);
        }
        String separator = c.getString("arguments_separator");
        if (separator.isEmpty() || separator.contains("/")) {
            throw ConfigValues.bad(c, "arguments_separator", "must be one or more characters other than /");
        }
        Urls urls = new Urls(separator, c.getBoolean("base64_url_includes_filename"), c.getBoolean("only_presets"),
                Set.copyOf(c.root().getStringList(c.key("allowed_options"))), c.getBoolean("allow_security_options"),
                c.getBoolean("client_hints"));
        Watermark watermark = new Watermark(c.getString("watermark.path"), c.getString("watermark.url"),
                c.getString("watermark.data"), c.getDouble("watermark.opacity"));
        if (Stream.of(watermark.path(), watermark.url(), watermark.data()).filter(v -> !v.isEmpty()).count() > 1) {
            throw ConfigValues.bad(c, "watermark", "set one of path, url and data");
        }
        if (!(watermark.opacity() > 0 && watermark.opacity() <= 1)) {
            throw ConfigValues.bad(c, "watermark.opacity", "must be above 0 and at most 1");
        }
        return new ProcessingConfig(ConfigValues.intBetween(c, "quality", 1, 100), c.getBoolean("strip_metadata"), maxAge,
                auto, Map.copyOf(presets), Map.copyOf(formatQuality), urls, watermark, enforced,
                c.getBoolean("always_rasterize_svg"), skipFormats(c), passthrough(c));
    }
}
