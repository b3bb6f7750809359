package io.imgedge.proxy.url;

import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec.Gravity;

import java.util.Objects;
import java.util.Optional;

/**
 * What a processing URL asks for, with imgproxy's defaults filled in.
 *
 * @param quality 0 = the configured default
 * @param format  empty = the source's format
 */
public record ProcessingOptions(ResizingType resizingType, int width, int height, boolean enlarge, Gravity gravity,
                                int quality, Optional<ImageFormat> format) {
    public static final ProcessingOptions DEFAULTS =
            new ProcessingOptions(ResizingType.FIT, 0, 0, false, Gravity.CENTRE, 0, Optional.empty());

    public ProcessingOptions {
        Objects.requireNonNull(resizingType, "resizingType");
        Objects.requireNonNull(gravity, "gravity");
        Objects.requireNonNull(format, "format");
        if (width < 0 || height < 0 || quality < 0 || quality > 100) {
            throw new IllegalArgumentException("size and quality out of range");
        }
    }

    public ProcessingOptions withFormat(ImageFormat output) {
        return new ProcessingOptions(resizingType, width, height, enlarge, gravity, quality, Optional.of(output));
    }
}
