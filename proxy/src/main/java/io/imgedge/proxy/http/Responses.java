package io.imgedge.proxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgedge.proxy.image.ImageReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** Turns a {@link Reply} into a full HTTP response (h1 or h2 via the stream codec). Pure. */
final class Responses {
    static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {
    }

    /**
     * @param ifNoneMatch the request's header, or null
     * @param head        whether the request was HEAD: headers as for GET, no body
     */
    static FullHttpResponse build(Reply reply, String ifNoneMatch, boolean head) {
        return switch (reply) {
            case Reply.Image(ImageReply image) -> image(image, ifNoneMatch, head);
            case Reply.Json json -> {
                FullHttpResponse response = response(json.status(), "application/json", serialize(json), head);
                response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                yield response;
            }
            case Reply.Text text -> {
                FullHttpResponse response = response(text.status(), text.contentType(),
                        text.body().getBytes(StandardCharsets.UTF_8), head);
                response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                yield response;
            }
        };
    }

    private static FullHttpResponse image(ImageReply image, String ifNoneMatch, boolean head) {
        boolean notModified = EntityTags.noneMatchFails(ifNoneMatch, image.etag());
        FullHttpResponse response = notModified
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER)
                : response(200, image.contentType(), image.bytes(), head);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.ETAG, image.etag());
        h.set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=" + image.maxAge().toSeconds());
        h.set("server-timing", image.serverTiming());
        h.set("x-cache", image.cacheStatus());
        h.set("x-content-type-options", "nosniff");
        h.set("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
        return response;
    }

    private static FullHttpResponse response(int status, String contentType, byte[] body, boolean head) {
        ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
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
