package io.imgedge.proxy.config;

import io.imgedge.vips.ImageLimits;

import java.time.Duration;

import static io.imgedge.proxy.config.ConfigValues.intAtLeast;
import static io.imgedge.proxy.config.ConfigValues.positiveBytes;
import static io.imgedge.proxy.config.ConfigValues.positiveLong;
import static io.imgedge.proxy.config.ConfigValues.threadsOrCores;

/**
 * Resource limits ({@code imgedge.limits}).
 *
 * @param queueWait        the longest a transform may be expected to wait for a worker: more is refused at once
 * @param transformTimeout longest a request waits for its transform (the worker finishes and frees it anyway)
 * @param busyStatus       answer when the transform queue is full: 503, or 429
 * @param svg              whether SVG sources are rasterised (after sanitising) rather than refused;
 *                         {@link #image()} accepts SVG exactly then
 * @param bodies           what request bodies may hold and how fast they must arrive
 */
public record LimitsConfig(long maxSourceBytes, ImageLimits image, int maxResultSide, int workers, int queue,
                           Duration queueWait, Duration transformTimeout, int busyStatus, boolean svg, BodyConfig bodies) {
    static LimitsConfig from(Section c) {
        int busy = c.getInt("queue_full_status");
        if (busy != 503 && busy != 429) {
            throw ConfigValues.bad(c, "queue_full_status", "must be 503 or 429, got " + busy);
        }
        String svg = c.getString("svg");
        if (!svg.equals("sanitize") && !svg.equals("refuse")) {
            throw ConfigValues.bad(c, "svg", "must be sanitize or refuse, got " + svg);
        }
        int maxResultSide = intAtLeast(c, "max_result_side", 1);
        return new LimitsConfig(positiveBytes(c, "max_source_bytes"),
                new ImageLimits(positiveLong(c, "max_source_pixels"), intAtLeast(c, "max_frames", 1), svg.equals("sanitize"),
                        maxResultSide, positiveLong(c, "max_result_pixels")),
                maxResultSide, threadsOrCores(c, "workers"), intAtLeast(c, "queue", 0),
                ConfigValues.positiveDuration(c, "queue_wait"),
                ConfigValues.positiveDuration(c, "transform_timeout"), busy, svg.equals("sanitize"),
                BodyConfig.from(c.sub("bodies")));
    }
}
