package io.imgedge.proxy.url;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec.Gravity;

import java.util.List;
import java.util.Optional;

/**
 * Parses imgproxy option segments ({@code name:arg:arg}) into {@link ProcessingOptions}. Later
 * options override earlier ones, as in imgproxy. Unknown names and bad arguments fail with a
 * 400 naming them.
 */
final class OptionParser {
    private final int maxSide;

    private ResizingType resizingType = ProcessingOptions.DEFAULTS.resizingType();
    private int width;
    private int height;
    private boolean enlarge;
    private Gravity gravity = ProcessingOptions.DEFAULTS.gravity();
    private int quality;
    private Optional<ImageFormat> format = Optional.empty();

    OptionParser(int maxSide) {
        this.maxSide = maxSide;
    }

    ProcessingOptions parse(List<String> segments) {
        for (String segment : segments) {
            String[] parts = segment.split(":", -1);
            apply(parts[0], List.of(parts).subList(1, parts.length));
        }
        return new ProcessingOptions(resizingType, width, height, enlarge, gravity, quality, format);
    }

    private void apply(String name, List<String> args) {
        switch (name) {
            case "resize", "rs" -> {
                arity(name, args, 1, 5);
                resizingType(args.get(0));
                size(name, args.subList(1, args.size()));
            }
            case "size", "s" -> {
                arity(name, args, 1, 4);
                size(name, args);
            }
            case "resizing_type", "rt" -> {
                arity(name, args, 1, 1);
                resizingType(args.get(0));
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
                arity(name, args, 1, 1);
                gravity = switch (args.get(0)) {
                    case "ce" -> Gravity.CENTRE;
                    case "sm" -> Gravity.SMART;
                    default -> throw HttpError.badRequest("gravity: unsupported type '" + args.get(0) + "' (ce, sm)");
                };
            }
            case "quality", "q" -> {
                arity(name, args, 1, 1);
                quality = integer(name, args.get(0), 0, 100);
            }
            case "format", "f", "ext" -> {
                arity(name, args, 1, 1);
                format = Optional.of(outputFormat(args.get(0)));
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
        if (args.size() > 3 && !args.get(3).isEmpty() && bool(name, args.get(3))) {
            throw HttpError.badRequest(name + ": extend is not supported");
        }
    }

    private void resizingType(String type) {
        resizingType = switch (type) {
            case "fit" -> ResizingType.FIT;
            case "fill" -> ResizingType.FILL;
            case "force" -> ResizingType.FORCE;
            default -> throw HttpError.badRequest("resizing type: unsupported '" + type + "' (fit, fill, force)");
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

    private static boolean bool(String name, String arg) {
        return switch (arg) {
            case "1", "t", "true" -> true;
            case "0", "f", "false" -> false;
            default -> throw HttpError.badRequest(name + ": '" + arg + "' is not a boolean (1/0, t/f, true/false)");
        };
    }
}
