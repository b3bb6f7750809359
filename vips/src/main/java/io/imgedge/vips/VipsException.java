package io.imgedge.vips;

import java.util.Objects;

/**
 * A typed libvips failure. {@link #getMessage()} is imgedge's own words, fit for a client;
 * libvips's text, which its process-global error buffer may have mixed with another thread's,
 * is kept apart in {@link #detail()} for logs.
 */
public final class VipsException extends RuntimeException {
    /** Why an image could not be processed. */
    public enum Reason {
        /** No loader recognises the bytes, or the format is not one imgedge accepts. */
        UNSUPPORTED_FORMAT,
        /** The bytes claim a format but do not decode (truncated, corrupt). */
        CORRUPT_INPUT,
        /** The header exceeds a pixel or frame limit. */
        LIMIT_EXCEEDED,
        /** Anything else libvips refused: a server-side fault worth reporting. */
        OPERATION_FAILED
    }

    private final Reason reason;
    private final String detail;

    public VipsException(Reason reason, String message) {
        this(reason, message, "");
    }

    /** @param detail libvips's error text for the failing call, for logs only */
    public VipsException(Reason reason, String message, String detail) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public Reason reason() {
        return reason;
    }

    /** What libvips said, or empty: never sent to clients. */
    public String detail() {
        return detail;
    }

    /** For logs: the message and libvips's text. */
    @Override
    public String toString() {
        return detail.isEmpty() ? super.toString() : super.toString() + " (libvips: " + detail + ")";
    }
}
