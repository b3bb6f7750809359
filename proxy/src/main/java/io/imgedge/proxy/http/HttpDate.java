package io.imgedge.proxy.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Date;

/**
 * The {@code Date} header every response carries (RFC 9110 section 6.6.1), in IMF-fixdate, made
 * once a second and shared. Thread-safe.
 */
final class HttpDate {
    /** @param statusAndDate {@code HTTP/1.1 200 OK} and the date line, encoded, read-only direct */
    private record Stamp(long second, AsciiString value, ByteBuffer statusAndDate) {
    }

    private static volatile Stamp stamp = new Stamp(Long.MIN_VALUE, AsciiString.EMPTY_STRING, ByteBuffer.allocate(0));

    private HttpDate() {
    }

    /** The header value for now. */
    static AsciiString now() {
        return current().value();
    }

    /** {@code HTTP/1.1 200 OK\r\ndate: ...\r\n}: the start of an HTTP/1.1 image head. Read through {@code duplicate()}. */
    static ByteBuffer statusAndDate() {
        return current().statusAndDate();
    }

    private static Stamp current() {
        long millis = System.currentTimeMillis();
        long second = millis / 1000;
        Stamp known = stamp;
        if (known.second() != second) {
            String value = DateFormatter.format(new Date(second * 1000));
            byte[] line = ("HTTP/1.1 200 OK\r\ndate: " + value + "\r\n").getBytes(StandardCharsets.US_ASCII);
            known = new Stamp(second, AsciiString.cached(value),
                    ByteBuffer.allocateDirect(line.length).put(line).flip().asReadOnlyBuffer());
            stamp = known;
        }
        return known;
    }
}
