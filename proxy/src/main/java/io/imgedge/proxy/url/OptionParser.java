package io.imgedge.proxy.url;

import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.TransformSpec.Anchor;
import io.imgedge.vips.TransformSpec.Gravity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static io.imgedge.proxy.url.OptionArgs.arity;
import static io.imgedge.proxy.url.OptionArgs.bool;
import static io.imgedge.proxy.url.OptionArgs.decimal;
import static io.imgedge.proxy.url.OptionArgs.integer;
import static io.imgedge.proxy.url.OptionArgs.positive;

/**
 * Parses imgproxy option segments ({@code name:arg:arg}) into {@link ProcessingOptions}, with
 * imgproxy's names, aliases and argument shapes ({@code options/parser/processing_options.go}).
 * Later options override earlier ones. Unknown names and bad arguments fail with a 400 naming them.
 */
final class OptionParser {
    private static final double MAX_FACTOR = 1_000;

    private final int maxSide;
    private final Map<String, List<String>> presets;
    private final ProcessingConfig.Urls urls;
    private final Set<ImageFormat> outputs;
    /** The presets being applied, outermost first: one that names itself again is skipped, as imgproxy skips it. */
    private final List<String> applying = new ArrayList<>();

    private ResizingType resizingType = ProcessingOptions.DEFAULTS.resizingType();
    private int width;
    private int height;
    private boolean enlarge;
    private Anchor gravity = Anchor.of(ProcessingOptions.DEFAULTS.gravity());
    private int quality;
    private Optional<ImageFormat> format = Optional.empty();
    private Optional<Boolean> stripMetadata = Optional.empty();
    private boolean autoRotate = true;
    private int rotate;
    private double blur;
    private double sharpen;
    private Optional<TransformSpec.Rgb> background = Optional.empty();
    private long expires = ProcessingOptions.Adjustments.NEVER;
    private boolean raw;
    private String cachebuster = "";
    private Optional<TransformSpec.Crop> crop = Optional.empty();
    private Optional<Anchor> extend = Optional.empty();
    private Optional<Anchor> extendAspectRatio = Optional.empty();
    private double dpr = 1;
    private double zoomWidth = 1;
    private double zoomHeight = 1;
    private int minWidth;
    private int minHeight;
    private TransformSpec.Padding padding = TransformSpec.Padding.NONE;
    private boolean flipX;
    private boolean flipY;
    private int pixelate;
    private int maxResultSide;
    private Optional<String> filename = Optional.empty();
    private boolean attachment;
    private final Map<ImageFormat, Integer> formatQuality = new EnumMap<>(ImageFormat.class);
    private final Set<ImageFormat> skip = EnumSet.noneOf(ImageFormat.class);
    private int maxBytes;
    private Optional<TransformSpec.Trim> trim = Optional.empty();
    private Optional<ProcessingOptions.Watermark> watermark = Optional.empty();
    private ProcessingOptions.SourceLimits sourceLimits = ProcessingOptions.SourceLimits.NONE;

    /**
     * @param presets option segments by preset name; a {@code default} one applies to every URL first
     * @param urls    the arguments separator, the options a URL may name, whether security options are allowed
     * @param outputs the formats results can be written in
     */
    OptionParser(int maxSide, Map<String, List<String>> presets, ProcessingConfig.Urls urls, Set<ImageFormat> outputs) {
        this.maxSide = maxSide;
        this.presets = presets;
        this.urls = urls;
        this.outputs = outputs;
    }

    /**
     * The options of {@code segments}, after the default preset.
     *
     * @param fromUrl whether they are a URL's own, so limited to the allowed options (a preset's are not)
     */
    ProcessingOptions parse(List<String> segments, boolean fromUrl) {
        defaults();
        segments(segments, fromUrl);
        return options();
    }

    /** Starts from what the client hints say (before the default preset and the URL's options, as imgproxy does). */
    OptionParser hinted(ClientHints hints) {
        if (hints.dpr() > 0) {
            dpr = hints.dpr();
        }
        if (hints.width() > 0) {
            width = Math.min(maxSide, hints.cssWidth());
        }
        return this;
    }

    /** The options of a presets-only URL: the default preset, then these. */
    ProcessingOptions presetsOnly(List<String> names) {
        defaults();
        presets("preset", names);
        return options();
    }

    /** The {@code default} preset, which every URL starts from. */
    private void defaults() {
        if (presets.containsKey("default")) {
            segments(presets.get("default"), false);
        }
    }

    private ProcessingOptions options() {
        TransformSpec.Layout layout = new TransformSpec.Layout(dpr, zoomWidth, zoomHeight, minWidth, minHeight, gravity.x(),
                gravity.y(), extendAspectRatio, padding, flipX, flipY, pixelate, maxResultSide, maxBytes, trim, Optional.empty());
        TransformSpec.Effects effects = new TransformSpec.Effects(autoRotate, rotate, blur, sharpen, background, crop, extend);
        return new ProcessingOptions(resizingType, width, height, enlarge, gravity.type(), quality, format,
                new ProcessingOptions.Adjustments(layout, stripMetadata, effects, expires, raw, cachebuster,
                        new ProcessingOptions.Delivery(filename, attachment), formatQuality, skip, sourceLimits, watermark));
    }

    /** Applies presets by name, as {@code pr:a:b} does (also imgproxy's presets-only URLs). */
    private void presets(String name, List<String> names) {
        for (String preset : names) {
            List<String> options = presets.get(preset);
            if (options == null) {
                throw HttpError.badRequest(name + ": unknown preset '" + preset + "'");
            }
            if (!applying.contains(preset)) {
                applying.add(preset);
                segments(options, false);
                applying.removeLast();
            }
        }
    }

    private void segments(List<String> segments, boolean fromUrl) {
        for (String segment : segments) {
            List<String> parts = OptionArgs.split(segment, urls.argumentsSeparator());
            if (fromUrl && !urls.allowedOptions().isEmpty() && !urls.allowedOptions().contains(parts.getFirst())) {
                throw HttpError.forbidden("forbidden processing option " + parts.getFirst());
            }
            apply(parts.getFirst(), parts.subList(1, parts.size()));
        }
    }

    private void apply(String name, List<String> args) {
        switch (name) {
            case "resize", "rs" -> {
                arity(name, args, 1, 8);
                if (!args.getFirst().isEmpty()) {
                    resizingType(name, args.getFirst());
                }
                size(name, args.subList(1, args.size()));
            }
            case "size", "s" -> {
                arity(name, args, 1, 7);
                size(name, args);
            }
            case "resizing_type", "rt" -> resizingType(name, one(name, args));
            case "width", "w" -> width = side(name, one(name, args));
            case "height", "h" -> height = side(name, one(name, args));
            case "min-width", "mw" -> minWidth = side(name, one(name, args));
            case "min-height", "mh" -> minHeight = side(name, one(name, args));
            case "zoom", "z" -> {
                arity(name, args, 1, 2);
                zoomWidth = factor(name, args.get(0));
                zoomHeight = args.size() > 1 ? factor(name, args.get(1)) : zoomWidth;
            }
            case "dpr" -> dpr = factor(name, one(name, args));
            case "enlarge", "el" -> enlarge = bool(one(name, args));
            case "extend", "ex" -> extend = extension(name, args);
            case "extend_aspect_ratio", "extend_ar", "exar" -> extendAspectRatio = extension(name, args);
            case "gravity", "g" -> {
                arity(name, args, 1, 3);
                gravity = OptionArgs.anchor(name, args, true);
            }
            case "crop", "c" -> {
                arity(name, args, 1, 5);
                double w = decimal(name, args.get(0), 0, Integer.MAX_VALUE);
                double h = args.size() > 1 && !args.get(1).isEmpty() ? decimal(name, args.get(1), 0, Integer.MAX_VALUE) : 0;
                Optional<Anchor> where = OptionArgs.anchorAfter(name, args, 2, true);
                crop = w == 0 && h == 0 ? Optional.empty() : Optional.of(new TransformSpec.Crop(w, h, where));
            }
            case "padding", "pd" -> padding = OptionArgs.padding(name, args, maxSide);
            case "watermark", "wm" -> watermark = EffectArgs.watermark(name, args);
            case "trim", "t" -> trim = EffectArgs.trim(name, args);
            case "flip", "fl" -> {
                arity(name, args, 1, 2);
                flipX = !args.get(0).isEmpty() ? bool(args.get(0)) : flipX;
                flipY = args.size() > 1 && !args.get(1).isEmpty() ? bool(args.get(1)) : flipY;
            }
            case "pixelate", "pix" -> pixelate = side(name, one(name, args));
            case "quality", "q" -> quality = integer(name, one(name, args), 0, 100);
            case "format", "f", "ext" -> format = Optional.of(outputFormat(one(name, args)));
            case "format_quality", "fq" -> {
                if (args.size() % 2 != 0) {
                    throw HttpError.badRequest(name + ": expects format:quality pairs, got " + args.size() + " argument(s)");
                }
                for (int i = 0; i < args.size(); i += 2) {
                    formatQuality.put(named(name, args.get(i)), integer(name, args.get(i + 1), 0, 100));
                }
            }
            case "skip_processing", "skp" -> {
                for (String type : args) {
                    skip.add(named(name, type));
                }
            }
            case "max_bytes", "mb" -> maxBytes = integer(name, one(name, args), 0, Integer.MAX_VALUE);
            case "strip_metadata", "sm" -> stripMetadata = Optional.of(bool(one(name, args)));
            // accepted as imgproxy accepts them; stripping removes copyright and profiles alike, HDR is not kept
            case "keep_copyright", "kcr", "strip_color_profile", "scp", "preserve_hdr", "ph", "enforce_thumbnail", "eth" ->
                    one(name, args);
            case "auto_rotate", "ar" -> autoRotate = bool(one(name, args));
            case "rotate", "rot" -> {
                int angle = integer(name, one(name, args), Integer.MIN_VALUE, Integer.MAX_VALUE);
                if (angle % 90 != 0) {
                    throw HttpError.badRequest(name + ": " + angle + " is not a multiple of 90");
                }
                rotate = Math.floorMod(angle, 360);
            }
            case "blur", "bl" -> blur = decimal(name, one(name, args), 0, 100);
            case "sharpen", "sh" -> sharpen = decimal(name, one(name, args), 0, 100);
            case "background", "bg" -> {
                arity(name, args, 1, 3);
                background = args.size() == 1 && args.getFirst().isEmpty() ? Optional.empty()
                        : Optional.of(OptionArgs.colour(name, args));
            }
            case "cachebuster", "cb" -> cachebuster = one(name, args);
            case "expires", "exp" -> {
                try {
                    expires = Long.parseLong(one(name, args));
                } catch (NumberFormatException e) {
                    throw HttpError.badRequest(name + ": '" + args.getFirst() + "' is not a unix time");
                }
            }
            case "raw" -> raw = bool(one(name, args));
            case "filename", "fn" -> {
                arity(name, args, 1, 2);
                filename = Optional.of(args.size() > 1 && bool(args.get(1)) ? base64(name, args.get(0)) : args.get(0))
                        .filter(s -> !s.isEmpty());
            }
            case "return_attachment", "att" -> attachment = bool(one(name, args));
            case "max_result_dimension", "mrd" -> {
                secured(name);
                maxResultSide = integer(name, one(name, args), 0, Integer.MAX_VALUE);
            }
            case "max_src_resolution", "msr" -> sourceLimits = secured(name).withPixels(megapixels(name, one(name, args)));
            case "max_src_file_size", "msfs" ->
                    sourceLimits = secured(name).withBytes(integer(name, one(name, args), 0, Integer.MAX_VALUE));
            case "max_animation_frames", "maf" ->
                    sourceLimits = secured(name).withFrames(integer(name, one(name, args), 1, Integer.MAX_VALUE));
            case "max_animation_frame_resolution", "mafr" ->
                    sourceLimits = secured(name).withFramePixels(megapixels(name, one(name, args)));
            case "preset", "pr" -> {
                arity(name, args, 1, 16);
                presets(name, args);
            }
            default -> throw HttpError.badRequest("unknown option '" + name + "'");
        }
    }

    /** {@code w:h:enlarge:extend:gravity:x:y}, each optional; an empty argument keeps the current value. */
    private void size(String name, List<String> args) {
        if (!args.isEmpty() && !args.get(0).isEmpty()) {
            width = side(name, args.get(0));
        }
        if (args.size() > 1 && !args.get(1).isEmpty()) {
            height = side(name, args.get(1));
        }
        if (args.size() > 2 && !args.get(2).isEmpty()) {
            enlarge = bool(args.get(2));
        }
        if (args.size() > 3 && !args.get(3).isEmpty()) {
            extend = extension(name, args.subList(3, args.size()));
        }
    }

    /** {@code enabled[:gravity[:x:y]]}: extension is placed by any gravity but smart. */
    private static Optional<Anchor> extension(String name, List<String> args) {
        arity(name, args, 1, 4);
        Optional<Anchor> where = OptionArgs.anchorAfter(name, args, 1, false);
        return bool(args.getFirst()) ? Optional.of(where.orElse(Anchor.of(Gravity.CENTRE))) : Optional.empty();
    }

    /** The source limits so far, once security options are allowed here. */
    private ProcessingOptions.SourceLimits secured(String name) {
        if (!urls.securityOptions()) {
            throw HttpError.badRequest(name + ": security options are not allowed here (processing.allow_security_options)");
        }
        return sourceLimits;
    }

    private void resizingType(String name, String type) {
        resizingType = switch (type) {
            case "fit" -> ResizingType.FIT;
            case "fill" -> ResizingType.FILL;
            case "force" -> ResizingType.FORCE;
            case "auto" -> ResizingType.AUTO;
            case "fill-down" -> ResizingType.FILL_DOWN;
            default -> throw HttpError.badRequest(name + ": unsupported resizing type '" + type
                    + "' (fit, fill, fill-down, force, auto)");
        };
    }

    private static String one(String name, List<String> args) {
        arity(name, args, 1, 1);
        return args.getFirst();
    }

    private int side(String name, String arg) {
        return integer(name, arg, 0, maxSide);
    }

    private static double factor(String name, String arg) {
        double value = positive(name, arg);
        if (value > MAX_FACTOR) {
            throw HttpError.badRequest(name + ": " + arg + " is out of range (0.." + (int) MAX_FACTOR + "]");
        }
        return value;
    }

    /** Megapixels as imgproxy reads them (a decimal number), in pixels; 0 = none. */
    private static long megapixels(String name, String arg) {
        return (long) (decimal(name, arg, 0, 1_000_000) * 1_000_000);
    }

    private static String base64(String name, String arg) {
        try {
            return new String(Base64.getUrlDecoder().decode(arg.replace("=", "")), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(name + ": '" + arg + "' is not URL-safe base64");
        }
    }

    /** An image format by its name ({@code jpg}, {@code jpeg}, {@code png}, {@code svg}, ...), read or written. */
    private static ImageFormat named(String name, String type) {
        return ImageFormat.fromExtension(type).or(() -> type.equalsIgnoreCase("svg") ? Optional.of(ImageFormat.SVG) : Optional.empty())
                .orElseThrow(() -> HttpError.badRequest(name + ": invalid image format '" + type + "'"));
    }

    ImageFormat outputFormat(String ext) {
        if (ext.equalsIgnoreCase("svg")) {
            return ImageFormat.SVG; // SVG sources passed through, sanitised (never drawn and relabelled)
        }
        Optional<ImageFormat> format = ImageFormat.fromExtension(ext).filter(ImageFormat::writable);
        if (format.isPresent() && !outputs.contains(format.get())) {
            throw HttpError.badRequest("format: cannot produce '" + ext + "' here (this libvips has no saver for it)");
        }
        return format.orElseThrow(() -> HttpError.badRequest("format: cannot produce '" + ext + "' ("
                + outputs.stream().map(ImageFormat::extension).sorted().collect(Collectors.joining(", ")) + ")"));
    }
}
