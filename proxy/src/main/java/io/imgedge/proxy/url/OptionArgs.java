package io.imgedge.proxy.url;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.TransformSpec.Anchor;
import io.imgedge.vips.TransformSpec.Gravity;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reading one option's arguments the way imgproxy's parser reads them ({@code options/parser/parse.go}):
 * booleans as Go's ParseBool (anything else is false, never an error), numbers with their ranges,
 * colours, gravities with offsets. Errors are 400s naming the option as written. Pure.
 */
final class OptionArgs {
    /** Decimal numbers only: no hex, no {@code NaN}, no Java suffixes such as {@code 1d}. */
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,10}");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private OptionArgs() {
    }

    /** {@code text} cut at each {@code separator} (a literal, not a pattern), empty pieces kept. */
    static List<String> split(String text, String separator) {
        return List.of(text.split(Pattern.quote(separator), -1));
    }

    static void arity(String name, List<String> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw HttpError.badRequest(name + ": expects " + (min == max ? min : min + " to " + max)
                    + " argument(s), got " + args.size());
        }
    }

    static int integer(String name, String arg, int min, int max) {
        try {
            if (!INTEGER.matcher(arg).matches()) {
                throw new NumberFormatException(arg);
            }
            int value = Integer.parseInt(arg);
            if (value < min || value > max) {
                throw HttpError.badRequest(name + ": " + arg + " is out of range " + min + ".." + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + ": '" + arg + "' is not a whole number");
        }
    }

    static double decimal(String name, String arg, double min, double max) {
        double value = anyDecimal(name, arg);
        if (!(value >= min && value <= max)) {
            throw HttpError.badRequest(name + ": " + arg + " is out of range " + min + ".." + max);
        }
        return value;
    }

    /** A number greater than 0 (and finite). */
    static double positive(String name, String arg) {
        double value = anyDecimal(name, arg);
        if (!(value > 0) || Double.isInfinite(value)) {
            throw HttpError.badRequest(name + ": " + arg + " is not a positive number");
        }
        return value;
    }

    private static double anyDecimal(String name, String arg) {
        if (!DECIMAL.matcher(arg).matches() || !Double.isFinite(Double.parseDouble(arg))) {
            throw HttpError.badRequest(name + ": '" + arg + "' is not a number");
        }
        return Double.parseDouble(arg);
    }

    /** Go's strconv.ParseBool, as imgproxy reads booleans: these are true, anything else is false. */
    static boolean bool(String arg) {
        return switch (arg) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            default -> false;
        };
    }

    /**
     * A gravity and its offsets: {@code type[:x[:y]]}, {@code fp:x:y} (0..1), {@code sm} alone.
     *
     * @param smart whether {@code sm} is allowed here (not for extension)
     */
    static Anchor anchor(String name, List<String> args, boolean smart) {
        Gravity type = gravity(name, args.getFirst(), smart);
        if (type == Gravity.SMART) {
            arity(name, args, 1, 1);
            return Anchor.of(type);
        }
        if (type == Gravity.FOCUS) {
            arity(name, args, 3, 3);
            return new Anchor(type, decimal(name, args.get(1), 0, 1), decimal(name, args.get(2), 0, 1));
        }
        arity(name, args, 1, 3);
        double x = args.size() > 1 && !args.get(1).isEmpty() ? anyDecimal(name, args.get(1)) : 0;
        double y = args.size() > 2 && !args.get(2).isEmpty() ? anyDecimal(name, args.get(2)) : 0;
        return new Anchor(type, x, y);
    }

    private static Gravity gravity(String name, String type, boolean smart) {
        Gravity gravity = switch (type) {
            case "ce" -> Gravity.CENTRE;
            case "no" -> Gravity.NORTH;
            case "so" -> Gravity.SOUTH;
            case "ea" -> Gravity.EAST;
            case "we" -> Gravity.WEST;
            case "noea" -> Gravity.NORTH_EAST;
            case "nowe" -> Gravity.NORTH_WEST;
            case "soea" -> Gravity.SOUTH_EAST;
            case "sowe" -> Gravity.SOUTH_WEST;
            case "fp" -> Gravity.FOCUS;
            case "sm" -> smart ? Gravity.SMART : null;
            default -> null;
        };
        if (gravity == null) {
            throw HttpError.badRequest(name + ": unsupported gravity '" + type + "' (ce, no, so, ea, we, noea, nowe, soea, sowe, fp"
                    + (smart ? ", sm)" : ")"));
        }
        return gravity;
    }

    /** {@code r:g:b} (0..255 each) or {@code RRGGBB} / {@code RGB} hex. */
    static TransformSpec.Rgb colour(String name, List<String> args) {
        if (args.size() == 3) {
            return new TransformSpec.Rgb(integer(name, args.get(0), 0, 255), integer(name, args.get(1), 0, 255),
                    integer(name, args.get(2), 0, 255));
        }
        String hex = args.getFirst();
        if (args.size() != 1 || !hex.matches("[0-9a-fA-F]{6}|[0-9a-fA-F]{3}")) {
            throw HttpError.badRequest(name + ": expects r:g:b or a hex colour such as ffffff");
        }
        if (hex.length() == 3) {
            int rgb = Integer.parseInt(hex, 16);
            return new TransformSpec.Rgb((rgb >> 8) * 17, (rgb >> 4 & 0xf) * 17, (rgb & 0xf) * 17);
        }
        int rgb = Integer.parseInt(hex, 16);
        return new TransformSpec.Rgb(rgb >> 16, rgb >> 8 & 0xff, rgb & 0xff);
    }

    /** imgproxy's padding: {@code top[:right[:bottom[:left]]]}, missing sides copied as in CSS. */
    static TransformSpec.Padding padding(String name, List<String> args, int max) {
        arity(name, args, 1, 4);
        int top = side(name, args, 0, 0, max);
        int right = side(name, args, 1, top, max);
        int bottom = side(name, args, 2, top, max);
        int left = side(name, args, 3, right, max);
        return new TransformSpec.Padding(top, right, bottom, left);
    }

    private static int side(String name, List<String> args, int index, int otherwise, int max) {
        return args.size() > index && !args.get(index).isEmpty() ? integer(name, args.get(index), 0, max) : otherwise;
    }

    /** A crop or extend anchor from the arguments after its own, or empty when none are given. */
    static Optional<Anchor> anchorAfter(String name, List<String> args, int from, boolean smart) {
        return args.size() > from && !args.get(from).isEmpty() ? Optional.of(anchor(name, args.subList(from, args.size()), smart))
                : Optional.empty();
    }
}
