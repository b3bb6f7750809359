package io.imgedge.proxy.error;

/** An origin host's circuit is open: it failed too often lately and is not asked until its cool-down ends. */
public final class CircuitOpenException extends RuntimeException {
    private final long retryAfterSeconds;

    public CircuitOpenException(String host, long retryAfterSeconds) {
        super("origin " + host + " is failing; not asked again for " + retryAfterSeconds + " s", null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
