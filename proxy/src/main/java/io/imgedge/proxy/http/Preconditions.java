package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.OriginHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A GET's or HEAD's {@code If-None-Match} and {@code If-Modified-Since}, evaluated as RFC 9110
 * 13.2.2 orders them: when If-None-Match is present it alone decides (13.1.2, weak comparison);
 * otherwise If-Modified-Since asks whether the representation changed after its date (13.1.3),
 * ignored when it is not a valid date or the image has no modification date. Pure.
 *
 * @param ifNoneMatch     the header, or null
 * @param ifModifiedSince the header, or null
 */
record Preconditions(String ifNoneMatch, String ifModifiedSince) {
    static final Preconditions NONE = new Preconditions(null, null);

    static Preconditions of(HttpHeaders headers) {
        String ifNoneMatch = headers.get(HttpHeaderNames.IF_NONE_MATCH);
        String ifModifiedSince = headers.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        return ifNoneMatch == null && ifModifiedSince == null ? NONE : new Preconditions(ifNoneMatch, ifModifiedSince);
    }

    /**
     * Whether an image with {@code etag}, last modified at {@code lastModified} (epoch millis, or
     * {@link OriginHeaders#UNKNOWN}), is answered 304 Not Modified.
     */
    boolean notModified(String etag, long lastModified) {
        if (ifNoneMatch != null && !ifNoneMatch.isBlank()) {
            return EntityTags.noneMatchFails(ifNoneMatch, etag);
        }
        if (ifModifiedSince == null || lastModified == OriginHeaders.UNKNOWN) {
            return false;
        }
        long since = OriginHeaders.parseDate(ifModifiedSince);
        return since != OriginHeaders.UNKNOWN && lastModified <= since;
    }
}
