package io.imgedge.proxy.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.imgedge.proxy.config.AccessLogConfig;
import io.imgedge.proxy.config.UploadConfig;
import io.imgedge.proxy.limit.Tenants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sampling and the per-client error budget, on the real logger, with a clock the test moves. */
class AccessLogTest {
    static final Tenants TENANTS = new Tenants(List.of(new UploadConfig.Tenant("blog", "token-of-the-blog-0001")));
    final Logger logger = (Logger) LoggerFactory.getLogger("imgedge.access");
    final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    final InstantSource clock = new InstantSource() {
        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    ch.qos.logback.classic.Level level;

    @BeforeEach
    void attach() {
        level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.setAdditive(false);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
        logger.setAdditive(true);
        logger.setLevel(level);
    }

    static Exchange from(String ip) {
        return new Exchange("GET", "/x", Preconditions.NONE, new InetSocketAddress(ip, 4000), "HTTP/1.1", "image", true, null,
                System.nanoTime());
    }

    List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void successesAreSampledFailuresKeptUpToABudgetThenCounted() {
        AccessLog log = new AccessLog(new AccessLogConfig(true, 0, 2), clock, TENANTS);
        for (int i = 0; i < 50; i++) {
            log.log(from("192.0.2.1"), 200, 10, null, "hit-memory", "cache;dur=0.0", 0);
        }
        assertEquals(List.of(), messages(), "sample_rate 0: no successes");
        for (int i = 0; i < 5; i++) {
            log.log(from("192.0.2.1"), 404, 0, "source not found", null, null, 0);
        }
        log.log(from("192.0.2.2"), 502, 0, "origin answered 500", null, null, 500);
        assertEquals(3, messages().size(), "two failures of the first client, one of the second");
        assertTrue(messages().getFirst().contains("\"status\":404") && messages().getFirst().contains("source not found"));
        assertTrue(messages().getFirst().contains("\"error_class\":\"client\""));
        assertTrue(messages().get(2).contains("\"error_class\":\"origin\"") && messages().get(2).contains("\"origin_status\":500"),
                messages().get(2));

        now.addAndGet(60_000);
        log.log(from("192.0.2.3"), 500, 0, "internal error", null, null, 0);
        assertEquals(5, messages().size());
        assertTrue(messages().get(3).contains("\"dropped_errors\":3") && messages().get(3).contains("192.0.2.1"),
                "the minute's drops reported once: " + messages().get(3));
        assertTrue(messages().get(4).contains("192.0.2.3"));
    }

    @Test
    void theTenantOfAValidTokenIsNamed() {
        AccessLog log = new AccessLog(new AccessLogConfig(true, 1, 60), clock, TENANTS);
        log.log(new Exchange("POST", "/upload", Preconditions.NONE, new InetSocketAddress("192.0.2.9", 1), "HTTP/1.1", "upload", true,
                "Bearer token-of-the-blog-0001", System.nanoTime()), 201, 0, null, null, null, 0);
        log.log(new Exchange("POST", "/upload", Preconditions.NONE, new InetSocketAddress("192.0.2.9", 1), "HTTP/1.1", "upload", true,
                "Bearer wrong-token-000000000", System.nanoTime()), 401, 0, "token required", null, null, 0);
        assertTrue(messages().get(0).contains("\"tenant\":\"blog\""), messages().get(0));
        assertTrue(!messages().get(1).contains("tenant"), "no tenant for a token that is not one: " + messages().get(1));
        AccessLog budget = new AccessLog(new AccessLogConfig(true, 1, 1), clock, TENANTS);
        for (String ip : new String[]{"192.0.2.20", "192.0.2.21"}) {
            budget.log(new Exchange("GET", "/x", Preconditions.NONE, new InetSocketAddress(ip, 1), "HTTP/1.1", "image", true,
                    "Bearer token-of-the-blog-0001", System.nanoTime()), 404, 0, "missing", null, null, 0);
        }
        assertEquals(3, messages().size(), "one failure budget for the tenant, whichever address it comes from");
    }

    /** A template rendering is its template's customer's: its failures count against that customer's budget. */
    @Test
    void aTemplateRenderingIsItsCustomersRequest() {
        AccessLog log = new AccessLog(new AccessLogConfig(true, 1, 1), clock, TENANTS,
                (route, uri) -> route.equals("template") && uri.startsWith("/t/sig/card/") ? Optional.of("shop-a") : Optional.empty());
        for (String ip : new String[]{"192.0.2.30", "192.0.2.31"}) {
            log.log(new Exchange("GET", "/t/sig/card/e30", Preconditions.NONE, new InetSocketAddress(ip, 1), "HTTP/1.1", "template",
                    true, null, System.nanoTime()), 400, 0, "bad data", null, null, 0);
        }
        assertEquals(1, messages().size(), "one budget for the customer, from whichever address: " + messages());
        assertTrue(messages().getFirst().contains("\"tenant\":\"shop-a\""), messages().getFirst());
    }

    @Test
    void fullSamplingLogsEverySuccessWithItsCacheResult() {
        AccessLog log = new AccessLog(new AccessLogConfig(true, 1, 60), clock, TENANTS);
        log.log(from("192.0.2.1"), 200, 1234, null, "hit-disk", "cache;dur=0.3", 200);
        assertEquals(1, messages().size());
        assertTrue(messages().getFirst().contains("\"cache\":\"hit-disk\"") && messages().getFirst().contains("\"bytes\":1234")
                && messages().getFirst().contains("\"origin_status\":200"), messages().getFirst());
        new AccessLog(new AccessLogConfig(false, 1, 60), clock, TENANTS).log(from("192.0.2.1"), 500, 0, "x", null, null, 0);
        assertEquals(1, messages().size(), "disabled: nothing");
    }
}
