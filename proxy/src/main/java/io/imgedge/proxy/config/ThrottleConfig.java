package io.imgedge.proxy.config;

import io.imgedge.proxy.net.AddressRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.imgedge.proxy.config.ConfigValues.intAtLeast;
import static io.imgedge.proxy.config.ConfigValues.positiveDuration;

/**
 * Fairness limits ({@code imgedge.throttle}) and where they are kept ({@code imgedge.redis}).
 *
 * @param clientRate      requests per second per client (token bucket); 0 = no limit
 * @param clientBurst     requests a client may make at once after a pause
 * @param clientMisses    cache misses (fetch or transform) a client may have running at once; 0 = no limit
 * @param trustedProxies  peers whose {@code X-Forwarded-For} names the client
 * @param breakerFailures origin failures within {@code breakerWindow} that open its circuit
 * @param breakerCooldown how long an open circuit answers without asking the origin
 * @param redisUri        {@code redis://host:port/db} for cluster-wide limits; empty = this node only
 * @param redisTimeout    longest a limit check waits for Redis before deciding locally
 */
public record ThrottleConfig(double clientRate, int clientBurst, int clientMisses, List<AddressRange> trustedProxies,
                             int breakerFailures, Duration breakerWindow, Duration breakerCooldown, String redisUri,
                             Duration redisTimeout) {

    static ThrottleConfig from(Section throttle, Section redis) {
        double rate = throttle.getDouble("client.rate");
        if (rate < 0) {
            throw ConfigValues.bad(throttle, "client.rate", "must be >= 0 requests per second (0 = no limit), got " + rate);
        }
        List<AddressRange> proxies = new ArrayList<>();
        for (String range : throttle.root().getStringList(throttle.key("client.trusted_proxies"))) {
            try {
                proxies.add(AddressRange.parse(range));
            } catch (IllegalArgumentException e) {
                throw ConfigValues.bad(throttle, "client.trusted_proxies", e.getMessage());
            }
        }
        String uri = redis.getString("uri");
        if (!uri.isEmpty() && !uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw ConfigValues.bad(redis, "uri", "must start with redis:// or rediss://, or be empty");
        }
        return new ThrottleConfig(rate, intAtLeast(throttle, "client.burst", 1), intAtLeast(throttle, "client.max_misses", 0),
                List.copyOf(proxies), intAtLeast(throttle, "origin.breaker_failures", 1),
                positiveDuration(throttle, "origin.breaker_window"), positiveDuration(throttle, "origin.breaker_cooldown"),
                uri, positiveDuration(redis, "timeout"));
    }
}
