package io.imgedge.proxy.origin;

import io.netty.handler.codec.http.HttpHeaders;

/** One HTTP response from an origin; {@code body} is collected for 2xx only. */
record OriginResponse(int status, HttpHeaders headers, byte[] body) {
}
