package io.imgedge.proxy.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What the handler keeps of a request once its (reference-counted) message is released.
 *
 * @param preconditions the request's If-None-Match and If-Modified-Since
 * @param keepAlive  whether the client wants the connection kept after this request
 * @param authorization the request's Authorization header, or null (the access log names the tenant)
 * @param startNanos {@link System#nanoTime()} when the request arrived
 */
record Exchange(String method, String uri, Preconditions preconditions, SocketAddress remote, String protocol, String route,
                boolean keepAlive, String authorization, long startNanos) {

    static Exchange of(Channel channel, HttpRequest request, String route) {
        boolean h2 = channel instanceof Http2StreamChannel;
        SocketAddress remote = h2 ? channel.parent().remoteAddress() : channel.remoteAddress();
        return new Exchange(request.method().name(), request.uri(), Preconditions.of(request.headers()),
                remote, h2 ? "HTTP/2" : request.protocolVersion().text(), route, HttpUtil.isKeepAlive(request),
                request.headers().get(HttpHeaderNames.AUTHORIZATION), System.nanoTime());
    }

    /** The client's IP address, for logs. */
    String client() {
        return remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : String.valueOf(remote);
    }

    boolean head() {
        return method.equals(HttpMethod.HEAD.name());
    }

    /** An HTTP/1.0 client, which keeps the connection only when the response says so. */
    boolean http10() {
        return protocol.equals(HttpVersion.HTTP_1_0.text());
    }

    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }
}
