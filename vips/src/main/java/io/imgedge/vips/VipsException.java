package io.imgedge.vips;

import java.util.Objects;

/** A typed libvips failure; {@link #getMessage()} includes libvips's own message where there is one. */
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

    public VipsException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
