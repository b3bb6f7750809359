package io.imgedge.proxy.config;

/**
 * The access log ({@code imgedge.log.access}).
 *
 * @param sampleRate      fraction of successful requests (below 400) logged, 0..1
 * @param errorsPerMinute failed requests logged per client and minute; past it they are counted
 *                        and reported in one line when the minute is over
 */
public record AccessLogConfig(boolean enabled, double sampleRate, int errorsPerMinute) {
    static AccessLogConfig from(Section c) {
        double rate = c.getDouble("sample_rate");
        if (!(rate >= 0 && rate <= 1)) {
            throw ConfigValues.bad(c, "sample_rate", "must be 0..1, got " + rate);
        }
        return new AccessLogConfig(c.getBoolean("enabled"), rate, ConfigValues.intAtLeast(c, "errors_per_minute", 0));
    }
}
