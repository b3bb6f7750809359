package io.imgedge.proxy.http;

import java.util.Optional;

/**
 * A single {@code Range: bytes=...} request (RFC 9110 §14.2). Anything else (other units, several
 * ranges, bad syntax) parses as empty and the whole object is served, as the RFC allows. Pure.
 *
 * @param first  first byte, or -1 for a suffix range
 * @param last   last byte inclusive, or -1 for "to the end"; for a suffix range, its length
 */
record ByteRange(long first, long last) {

    static Optional<ByteRange> parse(String header) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return Optional.empty();
        }
        String spec = header.substring("bytes=".length()).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        try {
            String from = spec.substring(0, dash).strip();
            String to = spec.substring(dash + 1).strip();
            if (from.isEmpty()) {
                long suffix = Long.parseLong(to);
                return suffix > 0 ? Optional.of(new ByteRange(-1, suffix)) : Optional.empty();
            }
            long first = Long.parseLong(from);
            long last = to.isEmpty() ? -1 : Long.parseLong(to);
            return first >= 0 && (last == -1 || last >= first) ? Optional.of(new ByteRange(first, last)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean suffix() {
        return first < 0;
    }

    /** Offset of the part in an object of {@code size} bytes (at or past the end: unsatisfiable). */
    long offset(long size) {
        return suffix() ? Math.max(0, size - last) : first;
    }

    /** Bytes of the part in an object of {@code size} bytes; 0 when unsatisfiable. */
    long length(long size) {
        long offset = offset(size);
        if (offset >= size) {
            return 0;
        }
        long end = suffix() || last == -1 ? size - 1 : Math.min(last, size - 1);
        return end - offset + 1;
    }
}
