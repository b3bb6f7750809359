package io.imgedge.proxy.config;


import java.time.Duration;

/**
 * Image defaults ({@code imgedge.processing}) and response freshness.
 *
 * @param maxAge {@code Cache-Control: max-age} of processed images
 */
public record ProcessingConfig(int quality, boolean stripMetadata, Duration maxAge) {
    static ProcessingConfig from(Section c) {
        Duration maxAge = c.getDuration("max_age");
        if (maxAge.isNegative()) {
            throw ConfigValues.bad(c, "max_age", "must be >= 0");
        }
        return new ProcessingConfig(ConfigValues.intBetween(c, "quality", 1, 100), c.getBoolean("strip_metadata"), maxAge);
    }
}
