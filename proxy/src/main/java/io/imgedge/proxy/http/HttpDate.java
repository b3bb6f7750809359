package io.imgedge.proxy.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.Date;

/**
 * The {@code Date} header every response carries (RFC 9110 section 6.6.1), in IMF-fixdate, made
 * once a second and shared. Thread-safe.
 */
final class HttpDate {
    /**
     * The date of one second.
     *
     * @param statusAndDate {@code HTTP/1.1 200 OK\r\ndate: ...\r\n}, the start of an HTTP/1.1 image head; not to be changed
     */
    record Stamp(long second, AsciiString value, byte[] statusAndDate) {
    }

    private static volatile Stamp stamp = new Stamp(Long.MIN_VALUE, AsciiString.EMPTY_STRING, new byte[0]);

    private HttpDate() {
    }

    /** The header value for now. */
    static AsciiString now() {
        return current().value();
    }

    /** The stamp of this second. */
    static Stamp current() {
        long second = System.currentTimeMillis() / 1000;
        Stamp known = stamp;
        if (known.second() != second) {
            known = of(second);
            stamp = known;
        }
        return known;
    }

    /** {@code epochMillis} as an HTTP date. */
    static String format(long epochMillis) {
        return DateFormatter.format(new Date(epochMillis));
    }

    /** The stamp of the second {@code second} of the epoch. */
    static Stamp of(long second) {
        String value = DateFormatter.format(new Date(second * 1000));
        return new Stamp(second, AsciiString.cached(value),
                ("HTTP/1.1 200 OK\r\ndate: " + value + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
}
