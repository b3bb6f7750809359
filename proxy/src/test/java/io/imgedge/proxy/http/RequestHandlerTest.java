package io.imgedge.proxy.http;

import io.imgedge.proxy.config.AccessLogConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP side of the public routes on an embedded channel: order, bodies, limits, keep-alive. */
class RequestHandlerTest {
    final ServerMetrics metrics = new ServerMetrics();
    final ServerState state = new ServerState();
    /** Replies by request path; a path without one fails. */
    final Map<String, CompletableFuture<Reply>> replies = new java.util.HashMap<>();
    final List<String> bodies = new ArrayList<>();

    final Responder responder = new Responder() {
        @Override
        public Optional<HttpError> admit(Route route, HttpRequest request) {
            return request.headers().contains("x-refuse") ? Optional.of(HttpError.unauthorized("no")) : Optional.empty();
        }

        @Override
        public long maxBody(Route route) {
            return 10;
        }

        @Override
        public CompletableFuture<Reply> answer(Route route, HttpRequest request, byte[] body, InetSocketAddress peer) {
            if (route instanceof Route.Upload) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
                return CompletableFuture.completedFuture(Reply.json(201, "ok", true));
            }
            if (request.uri().equals("/throws")) {
                throw HttpError.badRequest("thrown, not returned");
            }
            return replies.get(request.uri());
        }
    };

    final EmbeddedChannel channel = new EmbeddedChannel(new RequestHandler(new RequestHandler.Shared(responder, state,
            metrics, new AccessLog(new AccessLogConfig(false, 1, 0), InstantSource.system(), new io.imgedge.proxy.limit.Tenants(List.of())), Duration.ofSeconds(30), 503, io.netty.util.AsciiString.of("test-node"))));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    static DefaultHttpRequest get(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    static DefaultHttpRequest upload(long length) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        HttpUtil.setContentLength(request, length);
        return request;
    }

    static DefaultHttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    FullHttpResponse response() {
        FullHttpResponse response = channel.readOutbound();
        if (response != null) {
            response.release();
        }
        return response;
    }

    @Test
    void pipelinedResponsesKeepRequestOrder() {
        CompletableFuture<Reply> slow = new CompletableFuture<>();
        replies.put("/slow", slow);
        replies.put("/fast", CompletableFuture.completedFuture(Reply.json(200, "n", 2)));
        channel.writeInbound(get("/slow"), LastHttpContent.EMPTY_LAST_CONTENT, get("/fast"), LastHttpContent.EMPTY_LAST_CONTENT);
        channel.runPendingTasks();
        assertNull(channel.readOutbound(), "the fast reply waits for the slow one before it");
        assertFalse(channel.config().isAutoRead(), "reading paused while the slow reply is made");

        slow.complete(Reply.json(202, "n", 1));
        channel.runPendingTasks();
        assertEquals(202, response().status().code());
        assertEquals(200, response().status().code());
        assertTrue(channel.config().isAutoRead());
        assertTrue(channel.isOpen());
    }

    @Test
    void bodiesAreCollectedForRoutesThatTakeThem() {
        channel.writeInbound(upload(7), chunk("abc"), chunk("d"), new DefaultLastHttpContent(Unpooled.copiedBuffer("efg",
                StandardCharsets.UTF_8)));
        assertEquals(List.of("abcdefg"), bodies);
        assertEquals(201, response().status().code());
        assertTrue(channel.isOpen());
    }

    @Test
    void aBodyOverTheLimitIsAnswered413AndDroppedBeforeClosing() {
        DefaultHttpRequest chunked = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        HttpUtil.setTransferEncodingChunked(chunked, true);
        channel.writeInbound(chunked, chunk("0123456"), chunk("789abc"));
        FullHttpResponse response = response();
        assertEquals(413, response.status().code());
        assertEquals("close", response.headers().get(HttpHeaderNames.CONNECTION));
        assertTrue(channel.isOpen(), "the rest of the body is read first, so the client sees the answer");
        channel.writeInbound(chunk("more"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertFalse(channel.isOpen());
        assertEquals(List.of(), bodies);
    }

    @Test
    void aRefusedUploadIsAnsweredBeforeItsBody() {
        channel.writeInbound(upload(11));
        assertEquals(413, response().status().code(), "Content-Length over the limit");
        channel.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("01234567890", StandardCharsets.UTF_8)));
        assertFalse(channel.isOpen());

        EmbeddedChannel other = new EmbeddedChannel(new RequestHandler(new RequestHandler.Shared(responder, state,
                metrics, new AccessLog(new AccessLogConfig(false, 1, 0), InstantSource.system(), new io.imgedge.proxy.limit.Tenants(List.of())), Duration.ofSeconds(30), 503, io.netty.util.AsciiString.of("test-node"))));
        DefaultHttpRequest refused = upload(3);
        refused.headers().set("x-refuse", "1");
        other.writeInbound(refused);
        FullHttpResponse unauthorized = other.readOutbound();
        assertEquals(401, unauthorized.status().code());
        unauthorized.release();
        other.finishAndReleaseAll();
        assertEquals(List.of(), bodies);
    }

    @Test
    void keepAliveFollowsTheClient() {
        replies.put("/a", CompletableFuture.completedFuture(Reply.json(200, "n", 1)));
        DefaultHttpRequest http10 = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/a");
        HttpUtil.setKeepAlive(http10, true);
        channel.writeInbound(http10, LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals("keep-alive", response().headers().get(HttpHeaderNames.CONNECTION));
        assertTrue(channel.isOpen());

        DefaultHttpRequest closing = get("/a");
        HttpUtil.setKeepAlive(closing, false);
        channel.writeInbound(closing, LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals("close", response().headers().get(HttpHeaderNames.CONNECTION));
        assertFalse(channel.isOpen());
    }

    @Test
    void aResponderThatThrowsGetsAnErrorResponseNotAClosedConnection() {
        channel.writeInbound(get("/throws"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals(400, response().status().code());
        assertTrue(channel.isOpen());
    }
}
