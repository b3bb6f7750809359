package io.imgedge.proxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One JSON line per request on the {@code imgedge.access} logger. Thread-safe. */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("imgedge.access");

    private final boolean enabled;

    public AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    void log(Exchange exchange, int status, long bytes, String error, String serverTiming) {
        if (!enabled || !LOG.isInfoEnabled()) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("client", exchange.client());
        line.put("protocol", exchange.protocol());
        line.put("method", exchange.method());
        line.put("path", exchange.uri());
        line.put("route", exchange.route());
        line.put("status", status);
        line.put("bytes", bytes);
        line.put("ms", Math.round(exchange.elapsedNanos() / 1e5) / 10.0);
        if (serverTiming != null) {
            line.put("timing", serverTiming);
        }
        if (error != null) {
            line.put("error", error);
        }
        try {
            LOG.info(Responses.JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            LOG.warn("cannot write access log line", e);
        }
    }
}
