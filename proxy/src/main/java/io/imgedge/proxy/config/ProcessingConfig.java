package io.imgedge.proxy.config;


import io.imgedge.vips.ImageFormat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Image defaults ({@code imgedge.processing}) and response freshness.
 *
 * @param maxAge      {@code Cache-Control: max-age} of processed images
 * @param autoFormats formats offered by {@code Accept} when a URL names none, best first; empty = off
 */
public record ProcessingConfig(int quality, boolean stripMetadata, Duration maxAge, List<ImageFormat> autoFormats) {
    static ProcessingConfig from(Section c) {
        Duration maxAge = c.getDuration("max_age");
        if (maxAge.isNegative()) {
            throw ConfigValues.bad(c, "max_age", "must be >= 0");
        }
        List<ImageFormat> auto = new ArrayList<>();
        for (String name : c.root().getStringList(c.key("auto_formats"))) {
            ImageFormat format = ImageFormat.fromExtension(name).filter(f -> f == ImageFormat.WEBP || f == ImageFormat.AVIF)
                    .orElseThrow(() -> ConfigValues.bad(c, "auto_formats", "'" + name + "' is not webp or avif"));
            auto.add(format);
        }
        return new ProcessingConfig(ConfigValues.intBetween(c, "quality", 1, 100), c.getBoolean("strip_metadata"), maxAge,
                List.copyOf(auto));
    }
}
