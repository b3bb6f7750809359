package io.imgedge.proxy.cache;

import io.netty.handler.codec.DateFormatter;

import java.util.Date;
import java.util.Objects;

/**
 * What an original's origin said about it that responses may pass on (imgproxy's
 * USE_LAST_MODIFIED and CACHE_CONTROL_PASSTHROUGH): kept with the original and with every
 * result made of it, whether or not passing it on is configured now.
 *
 * @param lastModified its Last-Modified, epoch millis in whole seconds, or {@link #UNKNOWN}
 * @param cacheControl its Cache-Control header, or ""
 * @param expires      its Expires, epoch millis, or {@link #UNKNOWN}
 */
public record OriginHeaders(long lastModified, String cacheControl, long expires) {
    public static final long UNKNOWN = -1;
    public static final OriginHeaders NONE = new OriginHeaders(UNKNOWN, "", UNKNOWN);
    /** A longer Cache-Control is read for freshness but not kept to be passed on. */
    static final int MAX_CACHE_CONTROL = 512;

    public OriginHeaders {
        Objects.requireNonNull(cacheControl, "cacheControl");
    }

    /**
     * These headers as an entry keeps them: without a Cache-Control too long to pass on, or with
     * anything but visible ASCII and spaces in it.
     */
    public OriginHeaders kept() {
        boolean plain = cacheControl.length() <= MAX_CACHE_CONTROL && cacheControl.chars().allMatch(c -> c >= ' ' && c < 0x7f);
        return plain ? this : new OriginHeaders(lastModified, "", expires);
    }

    /** Headers with only a Last-Modified time (a file's, an object's). */
    public static OriginHeaders modified(long epochMillis) {
        return new OriginHeaders(epochMillis - epochMillis % 1000, "", UNKNOWN);
    }

    /**
     * An HTTP date (RFC 9110 5.6.7: IMF-fixdate and the two obsolete forms recipients must read)
     * as epoch millis, or {@link #UNKNOWN} when absent or not a date.
     */
    public static long parseDate(String value) {
        Date date = value == null ? null : DateFormatter.parseHttpDate(value.strip());
        return date == null ? UNKNOWN : date.getTime();
    }
}
