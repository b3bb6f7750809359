package io.imgedge.proxy.origin;

import io.imgedge.proxy.cache.OriginHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/** One HTTP response from an origin; {@code body} is collected for 2xx only. */
record OriginResponse(int status, HttpHeaders headers, byte[] body) {
    /** The headers of this response that results may pass on. */
    OriginHeaders passedOn() {
        return new OriginHeaders(OriginHeaders.parseDate(headers.get(HttpHeaderNames.LAST_MODIFIED)),
                headers.get(HttpHeaderNames.CACHE_CONTROL, "").strip(),
                OriginHeaders.parseDate(headers.get(HttpHeaderNames.EXPIRES)));
    }
}
