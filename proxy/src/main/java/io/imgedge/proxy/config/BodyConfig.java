package io.imgedge.proxy.config;

import java.nio.file.Path;
import java.time.Duration;

import static io.imgedge.proxy.config.ConfigValues.positiveBytes;
import static io.imgedge.proxy.config.ConfigValues.positiveDuration;

/**
 * Request bodies ({@code imgedge.limits.bodies}).
 *
 * @param memory     bytes of request bodies all requests together may hold in memory
 * @param perClient  bytes of that one client (upload tenant, else address) may hold
 * @param spoolAbove a body larger than this (declared or arrived) is written to {@code spoolDir}
 *                   as it arrives, holding no more memory than the chunk in hand
 * @param timeout    a body must arrive whole within this of its request head
 * @param minRate    bytes per second a body must arrive at on average, once {@link #RATE_GRACE} has passed
 */
public record BodyConfig(long memory, long perClient, long spoolAbove, Path spoolDir, Duration timeout, long minRate) {
    /** How long a body may take before its average rate is judged (TCP slow start, a first stall). */
    public static final Duration RATE_GRACE = Duration.ofSeconds(10);

    static BodyConfig from(Section c) {
        long memory = positiveBytes(c, "memory");
        long perClient = positiveBytes(c, "per_client");
        if (perClient > memory) {
            throw ConfigValues.bad(c, "per_client", "must not be above memory (" + memory + " bytes)");
        }
        String dir = c.getString("spool_dir");
        if (dir.isBlank()) {
            throw ConfigValues.bad(c, "spool_dir", "must name a directory");
        }
        return new BodyConfig(memory, perClient, positiveBytes(c, "spool_above"), Path.of(dir),
                positiveDuration(c, "timeout"), positiveBytes(c, "min_rate"));
    }
}
