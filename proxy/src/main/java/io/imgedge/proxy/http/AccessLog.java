package io.imgedge.proxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.imgedge.proxy.config.AccessLogConfig;
import io.imgedge.proxy.limit.Tenants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One JSON line per request on the {@code imgedge.access} logger: successes sampled at the
 * configured rate, failures all logged up to a budget per tenant (or client address) and minute; failures past it
 * are counted and reported in one line per client once the minute is over (at the next line
 * logged, so a quiet server reports nothing). Thread-safe.
 */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("imgedge.access");

    private volatile AccessLogConfig config;
    private final InstantSource clock;
    /** Failures logged and dropped per client in the current minute. */
    private final Map<String, int[]> failures = new HashMap<>();
    private long minute = Long.MIN_VALUE;

    private final Tenants tenants;
    private final RouteTenants routeTenants;

    /** Whose a request is by what it asks for (a template rendering is its template's tenant's). */
    @FunctionalInterface
    public interface RouteTenants {
        RouteTenants NONE = (_, _) -> Optional.empty();

        /** @param route the route's metric label; @param uri the request's URI as sent */
        Optional<String> tenant(String route, String uri);
    }

    /** @param tenants who upload and API tokens belong to, to name the tenant of a request */
    public AccessLog(AccessLogConfig config, InstantSource clock, Tenants tenants) {
        this(config, clock, tenants, RouteTenants.NONE);
    }

    /** @param routeTenants whose a request is by its route, when no token says */
    public AccessLog(AccessLogConfig config, InstantSource clock, Tenants tenants, RouteTenants routeTenants) {
        this.config = config;
        this.clock = clock;
        this.tenants = tenants;
        this.routeTenants = routeTenants;
    }

    /** Samples and budgets by this configuration from now on (reload). */
    public void update(AccessLogConfig fresh) {
        this.config = fresh;
    }

    /**
     * @param cache  {@code X-Cache} of an image answer, or null
     * @param timing {@code Server-Timing} of an image answer, or null
     * @param originStatus what the origin answered when this request had it asked, else 0
     */
    void log(Exchange exchange, int status, long bytes, String error, String cache, String timing, int originStatus) {
        if (!config.enabled() || !LOG.isInfoEnabled()) {
            return;
        }
        if (status < 400) {
            if (config.sampleRate() < 1 && ThreadLocalRandom.current().nextDouble() >= config.sampleRate()) {
                return;
            }
        }
        String tenant = (exchange.authorization() == null ? Optional.<String>empty() : tenants.tenant(exchange.authorization()))
                .or(() -> routeTenants.tenant(exchange.route(), exchange.uri())).orElse(null);
        if (status >= 400 && !withinErrorBudget(tenant != null ? "tenant:" + tenant : exchange.client())) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", clock.instant().toString());
        line.put("client", exchange.client());
        if (tenant != null) {
            line.put("tenant", tenant);
        }
        line.put("protocol", exchange.protocol());
        line.put("method", exchange.method());
        line.put("path", exchange.uri());
        line.put("route", exchange.route());
        line.put("status", status);
        line.put("bytes", bytes);
        line.put("ms", Math.round(exchange.elapsedNanos() / 1e5) / 10.0);
        if (cache != null) {
            line.put("cache", cache);
        }
        if (timing != null) {
            line.put("timing", timing);
        }
        if (originStatus > 0) {
            line.put("origin_status", originStatus);
        }
        if (error != null) {
            line.put("error", error);
            line.put("error_class", errorClass(status));
        }
        write(line);
    }

    /** Whose fault an error is, for dashboards and alerts. */
    static String errorClass(int status) {
        return switch (status) {
            case 429, 503 -> "overload";
            case 502, 504 -> "origin";
            default -> status >= 500 ? "server" : "client";
        };
    }

    /** Counts one failure of {@code client}; false once it is past this minute's budget. */
    private synchronized boolean withinErrorBudget(String client) {
        long now = clock.millis() / 60_000;
        if (now != minute) {
            reportDropped();
            failures.clear();
            minute = now;
        }
        int[] counts = failures.computeIfAbsent(client, _ -> new int[2]);
        if (counts[0] < config.errorsPerMinute()) {
            counts[0]++;
            return true;
        }
        counts[1]++;
        return false;
    }

    private void reportDropped() {
        for (Map.Entry<String, int[]> e : failures.entrySet()) {
            if (e.getValue()[1] > 0) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("time", Instant.ofEpochMilli(minute * 60_000).toString());
                line.put("client", e.getKey());
                line.put("dropped_errors", e.getValue()[1]);
                write(line);
            }
        }
    }

    private static void write(Map<String, Object> line) {
        try {
            LOG.info(Responses.JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            LOG.warn("cannot write access log line", e);
        }
    }
}
