package io.imgedge.proxy.image;

/** {@code Server-Timing} values: where a response's time went. Pure. */
final class ServerTiming {
    /** The timing of a lookup under 0.05 ms, which rounds to this anyway (most memory hits). */
    static final String INSTANT_LOOKUP = "cache;dur=0.0";
    /**
     * The start of a memory lookup, which is not timed: a hash lookup takes well under the
     * 0.1 ms Server-Timing shows, so two clock reads per hit would only ever say 0.0.
     */
    static final long INSTANT = Long.MIN_VALUE;

    private ServerTiming() {
    }

    /** A cache lookup that began at {@code start} ({@link System#nanoTime}), or a memory lookup ({@link #INSTANT}). */
    static String lookup(long start) {
        if (start == INSTANT) {
            return INSTANT_LOOKUP;
        }
        long nanos = System.nanoTime() - start;
        return nanos < 50_000 ? INSTANT_LOOKUP : "cache;dur=" + millis(nanos);
    }

    /** A result made now: the wait for its original, then its transform. */
    static String made(long fetchNanos, long transformNanos) {
        return "fetch;dur=" + millis(fetchNanos) + ", transform;dur=" + millis(transformNanos);
    }

    /** An original fetched since {@code start}. */
    static String fetchedSince(long start) {
        return "fetch;dur=" + millis(System.nanoTime() - start);
    }

    /** Milliseconds with one decimal, without the cost of String.format on the hit path. */
    static String millis(long nanos) {
        long tenths = (nanos + 50_000) / 100_000;
        return (tenths / 10) + "." + (tenths % 10);
    }
}
