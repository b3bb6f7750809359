package io.imgedge.proxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Image templates ({@code imgedge.templates}).
 *
 * @param dir      where the template documents ({@code *.json}) are, read at start and on reload; empty = none
 * @param fontsDir font files (.ttf, .otf) text layers may use by family, besides the system's; empty = none
 * @param throttle how renders are shared between customers
 */
public record TemplatesConfig(Optional<Path> dir, Optional<Path> fontsDir, Throttle throttle) {
    /**
     * @param maxInFlight renders in flight at most, all customers together
     * @param start       renders in flight anyone may take before each customer is held to its share
     * @param perCustomer a customer's share of renders in flight past {@code start}
     * @param slotTtl     how long a slot a node took lasts if the node dies holding it
     * @param slow        a product-image download or render slower than this counts against its customer
     * @param slowLimit   slow operations a customer may have in {@code slowWindow} before its renders are refused
     * @param slowWindow  the time slow operations are counted over
     */
    public record Throttle(int maxInFlight, int start, int perCustomer, Duration slotTtl, Duration slow, int slowLimit,
                           Duration slowWindow) {
    }

    static TemplatesConfig from(Section c) {
        String dir = c.getString("dir").strip();
        int max = ConfigValues.intAtLeast(c, "throttle.max_in_flight", 1);
        int start = ConfigValues.intBetween(c, "throttle.start", 0, max - 1);
        String fonts = c.getString("fonts_dir").strip();
        return new TemplatesConfig(dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir)),
                fonts.isEmpty() ? Optional.empty() : Optional.of(Path.of(fonts)), new Throttle(max, start,
                ConfigValues.intAtLeast(c, "throttle.per_customer", 1), ConfigValues.positiveDuration(c, "throttle.slot_ttl"),
                ConfigValues.positiveDuration(c, "throttle.slow"), ConfigValues.intAtLeast(c, "throttle.slow_limit", 1),
                ConfigValues.positiveDuration(c, "throttle.slow_window")));
    }
}
