package io.imgedge.proxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgedge.proxy.cache.OriginHeaders;
import io.imgedge.proxy.image.ImageReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/** Turns a {@link Reply} into a full HTTP response (h1 or h2 via the stream codec), or an image's head. Pure. */
final class Responses {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final AsciiString NO_STORE = AsciiString.cached("no-store");
    private static final AsciiString JSON_TYPE = AsciiString.cached("application/json");
    private static final AsciiString SERVER_TIMING = AsciiString.cached("server-timing");
    private static final AsciiString X_CACHE = AsciiString.cached("x-cache");
    /** Which node answered: behind a load balancer, shows where each key lives. */
    static final AsciiString SERVED_BY = AsciiString.cached("x-served-by");
    private static final AsciiString NOSNIFF_HEADER = AsciiString.cached("x-content-type-options");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
    private static final AsciiString CSP_HEADER = AsciiString.cached("content-security-policy");
    private static final AsciiString CSP = AsciiString.cached("default-src 'none'; style-src 'unsafe-inline'; sandbox");

    private static final short CRLF = ('\r' << 8) | '\n';
    private static final short COLON_SPACE = (':' << 8) | ' ';
    /** Our own header names and values are known good: the hit path skips validating them. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private Responses() {
    }

    /**
     * @param preconditions the request's If-None-Match and If-Modified-Since
     * @param head        whether the request was HEAD: headers as for GET, no body
     */
    static FullHttpResponse build(Reply reply, Preconditions preconditions, boolean head) {
        FullHttpResponse response = content(reply, preconditions, head);
        response.headers().set(HttpHeaderNames.DATE, HttpDate.now());
        return response;
    }

    private static FullHttpResponse content(Reply reply, Preconditions preconditions, boolean head) {
        return switch (reply) {
            case Reply.Image(ImageReply image) -> image(image, preconditions, head);
            case Reply.Json json -> {
                FullHttpResponse response = response(json.status(), JSON_TYPE, Unpooled.wrappedBuffer(serialize(json)), head);
                response.headers().set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
                json.headers().forEach(response.headers()::set);
                yield response;
            }
            case Reply.Bytes bytes -> {
                FullHttpResponse response = bytes.body().hasRemaining() || bytes.status() == 200 || bytes.status() == 206
                        ? response(bytes.status(), bytes.contentType(), Unpooled.wrappedBuffer(bytes.body().duplicate()), head)
                        : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(bytes.status()),
                        Unpooled.EMPTY_BUFFER);
                // RFC 9110 8.6: no Content-Length on a 204, and a 304's would be the representation's
                if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && bytes.status() != 304 && bytes.status() != 204) {
                    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                }
                bytes.headers().forEach(response.headers()::set);
                response.headers().set(NOSNIFF_HEADER, NOSNIFF);
                response.headers().set(CSP_HEADER, CSP);
                yield response;
            }
            case Reply.Text text -> {
                FullHttpResponse response = response(text.status(), text.contentType(),
                        Unpooled.wrappedBuffer(text.body().getBytes(StandardCharsets.UTF_8)), head);
                response.headers().set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
                yield response;
            }
        };
    }

    /**
     * The HTTP/1.1 head of a 200 image response after its status and {@code Date} lines (see
     * {@link HttpDate#statusAndDate}), encoded straight to bytes: the headers {@link #build}
     * sets, from the same list, without a response object for the encoder. For keep-alive
     * HTTP/1.1 GETs that are not answered 304 (the caller checks).
     */
    static byte[] imageHead(ImageReply image, AsciiString nodeName) {
        ByteBuf head = Unpooled.buffer(384);
        header(head, HttpHeaderNames.CONTENT_TYPE, image.contentType());
        header(head, HttpHeaderNames.CONTENT_LENGTH, Integer.toString(image.body().remaining()));
        imageHeaders(image, (name, value) -> header(head, name, value));
        header(head, SERVED_BY, nodeName);
        head.writeShort(CRLF);
        return ByteBufUtil.getBytes(head);
    }

    /**
     * The headers of a 200 image response on an HTTP/2 stream, {@code :status} and {@code Date}
     * included: the ones {@link #build} sets, put straight into HTTP/2 headers without the
     * stream codec's conversion and validation of a response object.
     */
    static Http2Headers http2ImageHead(ImageReply image, AsciiString nodeName) {
        Http2Headers headers = new DefaultHttp2Headers(false, 16);
        headers.status(HttpResponseStatus.OK.codeAsText());
        headers.set(HttpHeaderNames.CONTENT_TYPE, image.contentType());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, image.body().remaining());
        imageHeaders(image, headers::set);
        headers.set(HttpHeaderNames.DATE, HttpDate.now());
        headers.set(SERVED_BY, nodeName);
        return headers;
    }

    /** The headers of an image response besides its type, length, date and node: one list for every encoding. */
    private static void imageHeaders(ImageReply image, BiConsumer<AsciiString, CharSequence> out) {
        out.accept(HttpHeaderNames.ETAG, image.etag());
        out.accept(HttpHeaderNames.CACHE_CONTROL, image.cacheControl());
        if (image.lastModified() != OriginHeaders.UNKNOWN) {
            out.accept(HttpHeaderNames.LAST_MODIFIED, HttpDate.format(image.lastModified()));
        }
        out.accept(SERVER_TIMING, image.serverTiming());
        out.accept(X_CACHE, image.cacheStatus());
        if (!image.vary().isEmpty()) {
            out.accept(HttpHeaderNames.VARY, image.vary());
        }
        if (!image.disposition().isEmpty()) {
            out.accept(HttpHeaderNames.CONTENT_DISPOSITION, image.disposition());
        }
        out.accept(NOSNIFF_HEADER, NOSNIFF);
        out.accept(CSP_HEADER, CSP);
    }

    private static void header(ByteBuf out, AsciiString name, CharSequence value) {
        ByteBufUtil.copy(name, out);
        out.writeShort(COLON_SPACE);
        ByteBufUtil.writeAscii(out, value);
        out.writeShort(CRLF);
    }

    private static FullHttpResponse image(ImageReply image, Preconditions preconditions, boolean head) {
        boolean notModified = preconditions.notModified(image.etag(), image.lastModified());
        FullHttpResponse response = notModified
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER,
                HEADERS, TRAILERS)
                : response(200, image.contentType(), Unpooled.wrappedBuffer(image.body().duplicate()), head);
        imageHeaders(image, response.headers()::set);
        return response;
    }

    /** A response carrying {@code body}, or for HEAD only its length. {@code body} is released here for HEAD. */
    private static FullHttpResponse response(int status, CharSequence contentType, ByteBuf body, boolean head) {
        int length = body.readableBytes();
        ByteBuf content = body;
        if (head) {
            body.release();
            content = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), content, HEADERS, TRAILERS);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        return response;
    }

    private static byte[] serialize(Reply.Json json) {
        try {
            return JSON.writeValueAsBytes(json.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a reply", e);
        }
    }
}
