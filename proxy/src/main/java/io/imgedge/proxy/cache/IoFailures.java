package io.imgedge.proxy.cache;

import org.slf4j.Logger;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A disk tier's failed I/O: every failure counted, at most one logged a minute with how many
 * came since the last, so a failing disk neither floods the log nor goes unseen. Thread-safe.
 */
final class IoFailures {
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final Logger log;
    private final String where;
    private final LongSupplier ticker;
    private final AtomicLong count = new AtomicLong();
    /** When the next failure may be logged (on the ticker), and how many came since the last log. */
    private final AtomicLong nextLog = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong unlogged = new AtomicLong();

    /** @param where names the tier and its directory in the log lines */
    IoFailures(Logger log, String where, LongSupplier ticker) {
        this.log = log;
        this.where = where;
        this.ticker = ticker;
    }

    /** Whether a write failed for want of space (ENOSPC, or a quota: EDQUOT). */
    static boolean isFull(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("No space left on device") || message.contains("Disk quota exceeded");
    }

    void record(String action, IOException e) {
        count.incrementAndGet();
        long now = ticker.getAsLong();
        long next = nextLog.get();
        if ((next == Long.MIN_VALUE || now - next >= 0) && nextLog.compareAndSet(next, now + LOG_EVERY_NANOS)) {
            log.warn("{}: cannot {} ({}); serving goes on without it ({} more failures since the last of these,"
                    + " {} in all)", where, action, e.toString(), unlogged.getAndSet(0), count.get());
        } else {
            unlogged.incrementAndGet();
        }
    }

    long count() {
        return count.get();
    }
}
