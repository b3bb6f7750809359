package io.imgedge.proxy.url;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.TransformSpec.Gravity;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.imgedge.proxy.url.OptionArgs.arity;
import static io.imgedge.proxy.url.OptionArgs.bool;
import static io.imgedge.proxy.url.OptionArgs.decimal;
import static io.imgedge.proxy.url.OptionArgs.positive;

/** The options with many arguments of their own, read as imgproxy reads them: watermark and trim. Pure. */
final class EffectArgs {
    private EffectArgs() {
    }

    /** {@code wm:opacity[:position[:x[:y[:scale]]]]}; an opacity of 0 is none. */
    static Optional<ProcessingOptions.Watermark> watermark(String name, List<String> args) {
        arity(name, args, 1, 5);
        double opacity = decimal(name, args.getFirst(), 0, 1);
        boolean replicate = args.size() > 1 && args.get(1).equals("re");
        List<String> where = new ArrayList<>(List.of(args.size() > 1 && !args.get(1).isEmpty() && !replicate
                ? args.get(1) : "ce"));
        where.addAll(args.subList(Math.min(args.size(), 2), Math.min(args.size(), 4)));
        TransformSpec.Anchor position = OptionArgs.anchor(name, where, false);
        if (position.type() == Gravity.FOCUS) {
            throw HttpError.badRequest(name + ": unsupported position 'fp' (ce, no, so, ea, we, noea, nowe, soea, sowe, re)");
        }
        double scale = args.size() > 4 && !args.get(4).isEmpty() ? positive(name, args.get(4)) : 0;
        return opacity > 0 ? Optional.of(new ProcessingOptions.Watermark(opacity, position, replicate, scale)) : Optional.empty();
    }

    /** {@code t:threshold[:hex colour[:equal_hor[:equal_ver]]]}; an empty threshold is none. */
    static Optional<TransformSpec.Trim> trim(String name, List<String> args) {
        arity(name, args, 1, 4);
        if (args.getFirst().isEmpty()) {
            return Optional.empty();
        }
        Optional<TransformSpec.Rgb> colour = args.size() > 1 && !args.get(1).isEmpty()
                ? Optional.of(OptionArgs.colour(name, args.subList(1, 2))) : Optional.empty();
        return Optional.of(new TransformSpec.Trim(decimal(name, args.getFirst(), 0, 1_000), colour,
                args.size() > 2 && bool(args.get(2)), args.size() > 3 && bool(args.get(3))));
    }
}
