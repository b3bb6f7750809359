package io.imgedge.proxy.url;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.TransformSpec.Gravity;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses imgproxy option segments ({@code name:arg:arg}) into {@link ProcessingOptions}. Later
 * options override earlier ones, as in imgproxy. Unknown names and bad arguments fail with a
 * 400 naming them.
 */
final class OptionParser {
    /** Presets may name presets, this deep. */
    private static final int MAX_PRESET_DEPTH = 4;

    private final int maxSide;
    private final Map<String, List<String>> presets;
    private int presetDepth;

    private ResizingType resizingType = ProcessingOptions.DEFAULTS.resizingType();
    private int width;
    private int height;
    private boolean enlarge;
    private Gravity gravity = ProcessingOptions.DEFAULTS.gravity();
    private int quality;
    private Optional<ImageFormat> format = Optional.empty();
    private double dpr = 1;
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
    private Optional<Gravity> extend = Optional.empty();
    private Optional<TransformSpec.Focus> focus = Optional.empty();

    /** @param presets option segments by preset name; a {@code default} one applies to every URL first */
    OptionParser(int maxSide, Map<String, List<String>> presets) {
        this.maxSide = maxSide;
        this.presets = presets;
    }

    ProcessingOptions parse(List<String> segments) {
        if (presets.containsKey("default")) {
            segments(presets.get("default"));
        }
        segments(segments);
        return new ProcessingOptions(resizingType, width, height, enlarge, gravity, quality, format,
                new ProcessingOptions.Adjustments(dpr, stripMetadata,
                        new TransformSpec.Effects(autoRotate, rotate, blur, sharpen, background, crop, extend, focus), expires, raw,
                        cachebuster));
    }

    private void segments(List<String> segments) {
        for (String segment : segments) {
            String[] parts = segment.split(":", -1);
            apply(parts[0], List.of(parts).subList(1, parts.length));
        }
    }

    private void apply(String name, List<String> args) {
        switch (name) {
            case "resize", "rs" -> {
                arity(name, args, 1, 5);
                resizingType(name, args.get(0));
                size(name, args.subList(1, args.size()));
            }
            case "size", "s" -> {
                arity(name, args, 1, 4);
                size(name, args);
            }
            case "resizing_type", "rt" -> {
                arity(name, args, 1, 1);
                resizingType(name, args.get(0));
            }
            case "width", "w" -> {
                arity(name, args, 1, 1);
                width = side(name, args.get(0));
            }
            case "height", "h" -> {
                arity(name, args, 1, 1);
                height = side(name, args.get(0));
            }
            case "enlarge", "el" -> {
                arity(name, args, 1, 1);
                enlarge = bool(name, args.get(0));
            }
            case "gravity", "g" -> {
                if (!args.isEmpty() && args.getFirst().equals("fp")) {
                    arity(name, args, 3, 3);
                    gravity = Gravity.FOCUS;
                    focus = Optional.of(new TransformSpec.Focus(decimal(name, args.get(1), 0, 1), decimal(name, args.get(2), 0, 1)));
                } else {
                    arity(name, args, 1, 1);
                    gravity = gravity(name, args.get(0));
                }
            }
            case "crop", "c" -> {
                arity(name, args, 2, 3);
                double w = decimal(name, args.get(0), 0, maxSide);
                double h = decimal(name, args.get(1), 0, maxSide);
                Gravity where = args.size() > 2 && !args.get(2).isEmpty() ? gravity(name, args.get(2)) : gravity;
                crop = w == 0 && h == 0 ? Optional.empty()
                        : Optional.of(new TransformSpec.Crop(w == 0 ? 1 : w, h == 0 ? 1 : h, where));
            }
            case "extend", "ex" -> {
                arity(name, args, 1, 2);
                extend = bool(name, args.get(0))
                        ? Optional.of(args.size() > 1 && !args.get(1).isEmpty() ? gravity(name, args.get(1)) : Gravity.CENTRE)
                        : Optional.empty();
            }
            case "quality", "q" -> {
                arity(name, args, 1, 1);
                quality = integer(name, args.get(0), 0, 100);
            }
            case "format", "f", "ext" -> {
                arity(name, args, 1, 1);
                format = Optional.of(outputFormat(args.get(0)));
            }
            case "dpr" -> {
                arity(name, args, 1, 1);
                dpr = decimal(name, args.get(0), 0.01, 8);
            }
            case "strip_metadata", "sm" -> {
                arity(name, args, 1, 1);
                stripMetadata = Optional.of(bool(name, args.get(0)));
            }
            case "auto_rotate", "ar" -> {
                arity(name, args, 1, 1);
                autoRotate = bool(name, args.get(0));
            }
            case "rotate", "rot" -> {
                arity(name, args, 1, 1);
                int angle = integer(name, args.get(0), -360, 360);
                if (angle % 90 != 0) {
                    throw HttpError.badRequest(name + ": " + angle + " is not a multiple of 90");
                }
                rotate = Math.floorMod(angle, 360);
            }
            case "blur", "bl" -> {
                arity(name, args, 1, 1);
                blur = decimal(name, args.get(0), 0, 100);
            }
            case "sharpen", "sh" -> {
                arity(name, args, 1, 1);
                sharpen = decimal(name, args.get(0), 0, 100);
            }
            case "background", "bg" -> {
                arity(name, args, 1, 3);
                background = colour(name, args);
            }
            case "cachebuster", "cb" -> {
                arity(name, args, 1, 1);
                cachebuster = args.get(0);
            }
            case "expires", "exp" -> {
                arity(name, args, 1, 1);
                try {
                    expires = Long.parseLong(args.get(0));
                } catch (NumberFormatException e) {
                    throw HttpError.badRequest(name + ": '" + args.get(0) + "' is not a unix time");
                }
            }
            case "raw" -> {
                arity(name, args, 1, 1);
                raw = bool(name, args.get(0));
            }
            case "preset", "pr" -> {
                arity(name, args, 1, 16);
                if (++presetDepth > MAX_PRESET_DEPTH) {
                    throw HttpError.badRequest(name + ": presets nest too deep");
                }
                for (String preset : args) {
                    List<String> options = presets.get(preset);
                    if (options == null) {
                        throw HttpError.badRequest(name + ": unknown preset '" + preset + "'");
                    }
                    segments(options);
                }
                presetDepth--;
            }
            default -> throw HttpError.badRequest("unknown option '" + name + "'");
        }
    }

    /** {@code w:h:enlarge:extend}, each optional; an empty argument keeps the current value. */
    private void size(String name, List<String> args) {
        if (!args.isEmpty() && !args.get(0).isEmpty()) {
            width = side(name, args.get(0));
        }
        if (args.size() > 1 && !args.get(1).isEmpty()) {
            height = side(name, args.get(1));
        }
        if (args.size() > 2 && !args.get(2).isEmpty()) {
            enlarge = bool(name, args.get(2));
        }
        if (args.size() > 3 && !args.get(3).isEmpty()) {
            extend = bool(name, args.get(3)) ? Optional.of(Gravity.CENTRE) : Optional.empty();
        }
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

    private static Gravity gravity(String name, String type) {
        return switch (type) {
            case "ce" -> Gravity.CENTRE;
            case "sm" -> Gravity.SMART;
            case "no" -> Gravity.NORTH;
            case "so" -> Gravity.SOUTH;
            case "ea" -> Gravity.EAST;
            case "we" -> Gravity.WEST;
            case "noea" -> Gravity.NORTH_EAST;
            case "nowe" -> Gravity.NORTH_WEST;
            case "soea" -> Gravity.SOUTH_EAST;
            case "sowe" -> Gravity.SOUTH_WEST;
            default -> throw HttpError.badRequest(name + ": unsupported gravity '" + type
                    + "' (ce, sm, no, so, ea, we, noea, nowe, soea, sowe)");
        };
    }

    private int side(String name, String arg) {
        return integer(name, arg, 0, maxSide);
    }

    static ImageFormat outputFormat(String ext) {
        return ImageFormat.fromExtension(ext).filter(ImageFormat::writable)
                .orElseThrow(() -> HttpError.badRequest("format: cannot produce '" + ext + "' (jpg, png, webp, avif, gif)"));
    }

    private static void arity(String name, List<String> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw HttpError.badRequest(name + ": expects " + (min == max ? min : min + " to " + max)
                    + " argument(s), got " + args.size());
        }
    }

    private static int integer(String name, String arg, int min, int max) {
        try {
            int value = Integer.parseInt(arg);
            if (value < min || value > max) {
                throw HttpError.badRequest(name + ": " + arg + " is out of range " + min + ".." + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + ": '" + arg + "' is not a number");
        }
    }

    private static double decimal(String name, String arg, double min, double max) {
        try {
            double value = Double.parseDouble(arg);
            if (!(value >= min && value <= max)) {
                throw HttpError.badRequest(name + ": " + arg + " is out of range " + min + ".." + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + ": '" + arg + "' is not a number");
        }
    }

    /** {@code r:g:b} (0..255 each) or {@code RRGGBB} hex. */
    private static Optional<TransformSpec.Rgb> colour(String name, List<String> args) {
        if (args.size() == 3) {
            return Optional.of(new TransformSpec.Rgb(integer(name, args.get(0), 0, 255), integer(name, args.get(1), 0, 255),
                    integer(name, args.get(2), 0, 255)));
        }
        String hex = args.getFirst();
        if (args.size() != 1 || !hex.matches("[0-9a-fA-F]{6}")) {
            throw HttpError.badRequest(name + ": expects r:g:b or a hex colour such as ffffff");
        }
        int rgb = Integer.parseInt(hex, 16);
        return Optional.of(new TransformSpec.Rgb(rgb >> 16, rgb >> 8 & 0xff, rgb & 0xff));
    }

    private static boolean bool(String name, String arg) {
        return switch (arg) {
            case "1", "t", "true" -> true;
            case "0", "f", "false" -> false;
            default -> throw HttpError.badRequest(name + ": '" + arg + "' is not a boolean (1/0, t/f, true/false)");
        };
    }
}
