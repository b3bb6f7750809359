package io.imgedge.proxy.config;

import io.imgedge.vips.ImageLimits;

import static io.imgedge.proxy.config.ConfigValues.intAtLeast;
import static io.imgedge.proxy.config.ConfigValues.positiveBytes;
import static io.imgedge.proxy.config.ConfigValues.positiveLong;
import static io.imgedge.proxy.config.ConfigValues.threadsOrCores;

/** Resource limits ({@code imgedge.limits}). */
public record LimitsConfig(long maxSourceBytes, ImageLimits image, int maxResultSide, int workers, int queue) {
    static LimitsConfig from(Section c) {
        return new LimitsConfig(positiveBytes(c, "max_source_bytes"),
                new ImageLimits(positiveLong(c, "max_source_pixels"), intAtLeast(c, "max_frames", 1)),
                intAtLeast(c, "max_result_side", 1), threadsOrCores(c, "workers"), intAtLeast(c, "queue", 0));
    }
}
