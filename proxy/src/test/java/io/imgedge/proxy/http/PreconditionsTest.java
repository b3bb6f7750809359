package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.OriginHeaders;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9110 13.1.2, 13.1.3 and the order of 13.2.2, for GET and HEAD of an image. */
class PreconditionsTest {
    static final long MODIFIED = OriginHeaders.parseDate("Wed, 21 Oct 2015 07:28:00 GMT");

    static boolean notModified(String ifNoneMatch, String ifModifiedSince, long lastModified) {
        return new Preconditions(ifNoneMatch, ifModifiedSince).notModified("\"abc\"", lastModified);
    }

    @Test
    void ifModifiedSinceComparesTheDate() {
        assertTrue(notModified(null, "Wed, 21 Oct 2015 07:28:00 GMT", MODIFIED), "the same second");
        assertTrue(notModified(null, "Thu, 25 Feb 2021 01:45:00 GMT", MODIFIED), "later");
        assertFalse(notModified(null, "Tue, 01 Oct 2013 17:31:00 GMT", MODIFIED), "earlier");
        assertFalse(notModified(null, "Wed, 21 Oct 2015 07:27:59 GMT", MODIFIED), "a second earlier");
    }

    @Test
    void anInvalidDateOrNoModificationDateIsIgnored() {
        assertFalse(notModified(null, "not a date", MODIFIED));
        assertFalse(notModified(null, "", MODIFIED));
        assertFalse(notModified(null, "Thu, 25 Feb 2021 01:45:00 GMT", OriginHeaders.UNKNOWN));
        assertFalse(Preconditions.NONE.notModified("\"abc\"", MODIFIED));
    }

    @Test
    void ifNoneMatchAloneDecidesWhenSent() {
        assertFalse(notModified("\"other\"", "Thu, 25 Feb 2021 01:45:00 GMT", MODIFIED));
        assertTrue(notModified("\"abc\"", "Tue, 01 Oct 2013 17:31:00 GMT", MODIFIED));
        assertTrue(notModified("W/\"abc\", \"x\"", null, OriginHeaders.UNKNOWN), "weak comparison");
        assertTrue(notModified("*", null, OriginHeaders.UNKNOWN));
        assertTrue(notModified(" ", "Thu, 25 Feb 2021 01:45:00 GMT", MODIFIED), "a blank one is none");
    }
}
