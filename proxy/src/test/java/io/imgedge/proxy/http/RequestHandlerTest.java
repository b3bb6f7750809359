package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.config.AccessLogConfig;
import io.imgedge.proxy.config.BodyConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.limit.Tenants;
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
import org.junit.jupiter.api.io.TempDir;

import io.netty.util.AsciiString;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

    /** What each request said of its wait, in order. */
    final List<Waiting> waitings = new ArrayList<>();
    /** Bodies the responder was given, still open (the handler closes them once answered). */
    final List<RequestBody> given = new ArrayList<>();

    final Responder responder = new Responder() {
        @Override
        public Optional<HttpError> admit(Route route, HttpRequest request) {
            return request.headers().contains("x-refuse") ? Optional.of(HttpError.unauthorized("no", "Bearer")) : Optional.empty();
        }

        @Override
        public long maxBody(Route route) {
            return 10;
        }

        @Override
        public String client(HttpRequest request, InetSocketAddress peer) {
            return request.headers().get("x-client", "anyone");
        }

        @Override
        public CompletableFuture<Reply> answer(Route route, HttpRequest request, RequestBody body, InetSocketAddress peer,
                                               Waiting waiting) {
            waitings.add(waiting);
            if (route instanceof Route.Upload) {
                given.add(body);
                bodies.add(new String(body.bytes(), StandardCharsets.UTF_8));
                return replies.getOrDefault("/upload", CompletableFuture.completedFuture(Reply.json(201, "ok", true)));
            }
            if (request.uri().equals("/throws")) {
                throw HttpError.badRequest("thrown, not returned");
            }
            return replies.get(request.uri());
        }
    };

    @TempDir
    Path spool;
    BodyBudget budget = new BodyBudget(1000, 1000);
    final EmbeddedChannel channel = channel(1000);

    /** A handler whose bodies of more than {@code spoolAbove} bytes are spooled, on a channel with its clock stopped. */
    EmbeddedChannel channel(long spoolAbove) {
        return channel(spoolAbove, Duration.ofSeconds(60));
    }

    EmbeddedChannel channel(long spoolAbove, Duration timeout) {
        EmbeddedChannel embedded = new EmbeddedChannel();
        embedded.freezeTime();
        embedded.pipeline().addLast(new RequestHandler(new RequestHandler.Shared(responder, state, metrics,
                new AccessLog(new AccessLogConfig(false, 1, 0), InstantSource.system(), new Tenants(List.of())),
                Duration.ofSeconds(30), 503, AsciiString.of("test-node"),
                new BodyConfig(1000, 1000, spoolAbove, spoolDir(), timeout, 2), budget)));
        return embedded;
    }

    /** Where spooled bodies go (the test's directory; not yet there while fields are set up). */
    Path spoolDir() {
        return spool != null ? spool.resolve("bodies") : Path.of(System.getProperty("java.io.tmpdir"), "imgedge-test-bodies");
    }

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

    /** A reply not ready at once leaves reading on when nothing is sent ahead; at the request timeout the event loop's timer answers. */
    @Test
    void aReplyNeverReadyIsAnswered503AtTheRequestTimeout() {
        replies.put("/never", new CompletableFuture<>());
        channel.writeInbound(get("/never"), LastHttpContent.EMPTY_LAST_CONTENT);
        channel.runPendingTasks();
        assertTrue(channel.config().isAutoRead(), "nothing sent ahead: reading stays on");
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        waitings.getFirst().onGone(() -> gone.set(true));
        channel.advanceTimeBy(29, TimeUnit.SECONDS);
        channel.runPendingTasks();
        assertNull(channel.readOutbound(), "not before the timeout");
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runPendingTasks(); // the timer fires and hands the answer to the event loop
        channel.runPendingTasks();
        FullHttpResponse timedOut = channel.readOutbound();
        assertEquals(503, timedOut.status().code());
        assertTrue(timedOut.content().toString(StandardCharsets.UTF_8).contains("request took too long"));
        timedOut.release();
        assertTrue(gone.get(), "what was made for it alone is no longer wanted");
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

        EmbeddedChannel other = channel(1000);
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

    static int spooled(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.list(dir)) {
            return (int) files.count();
        }
    }

    @Test
    void aLargeBodyIsSpooledAndItsFileGoesOnceAnswered() throws Exception {
        EmbeddedChannel spooling = channel(4);
        CompletableFuture<Reply> later = new CompletableFuture<>();
        replies.put("/upload", later);
        spooling.writeInbound(upload(9), chunk("abc"), chunk("def"));
        assertEquals(0, budget.used(), "a body declared over spool_above holds no memory");
        assertEquals(1, spooled(spoolDir()));
        spooling.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("ghi", StandardCharsets.UTF_8)));
        assertEquals(List.of("abcdefghi"), bodies);
        assertTrue(given.getFirst() instanceof RequestBody.Spooled);
        assertEquals(9, budget.used(), "read back within the budget while it is processed");
        later.complete(Reply.json(201, "ok", true));
        spooling.runPendingTasks();
        FullHttpResponse response = spooling.readOutbound();
        assertEquals(201, response.status().code());
        response.release();
        assertEquals(0, budget.used(), "given back once answered");
        assertEquals(0, spooled(spoolDir()), "the spool file is gone");
        spooling.finishAndReleaseAll();
    }

    @Test
    void aBodyGrowingPastSpoolAboveMovesToAFile() throws Exception {
        EmbeddedChannel spooling = channel(4);
        DefaultHttpRequest chunked = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        HttpUtil.setTransferEncodingChunked(chunked, true);
        spooling.writeInbound(chunked, chunk("abc"));
        assertEquals(3, budget.used(), "held in memory while small");
        spooling.writeInbound(chunk("def"));
        assertEquals(0, budget.used(), "moved to a file past spool_above");
        assertEquals(1, spooled(spoolDir()));
        spooling.close();
        assertEquals(0, spooled(spoolDir()), "a connection that dies takes its spool file along");
        assertEquals(0, budget.used());
    }

    @Test
    void bodiesPastTheMemoryBudgetAreRefused() {
        budget = new BodyBudget(5, 5);
        EmbeddedChannel small = channel(1000);
        small.writeInbound(upload(8), chunk("abcd"), chunk("efgh"));
        FullHttpResponse busy = small.readOutbound();
        assertEquals(503, busy.status().code(), "the node's budget");
        assertEquals("1", busy.headers().get("retry-after"));
        busy.release();
        assertEquals(0, budget.used(), "what the refused body held is given back");
        small.finishAndReleaseAll();

        budget = new BodyBudget(100, 5);
        EmbeddedChannel share = channel(1000);
        DefaultHttpRequest mine = upload(8);
        mine.headers().set("x-client", "greedy");
        share.writeInbound(mine, chunk("abcd"), chunk("efgh"));
        FullHttpResponse tooMany = share.readOutbound();
        assertEquals(429, tooMany.status().code(), "one client's share");
        tooMany.release();
        share.finishAndReleaseAll();
        assertEquals(List.of(), bodies);
        assertEquals(0, budget.used());
    }

    @Test
    void aConnectionThatDiesMidBodyGivesItsMemoryBack() throws InterruptedException {
        channel.writeInbound(upload(8), chunk("abcd"));
        assertEquals(4, budget.used());
        channel.close();
        assertEquals(0, budget.used());
        assertEquals(0, state.awaitIdle(Duration.ZERO), "the request is over");
    }

    /** A body trickling in (10 bytes every 5 s) once held its connection for minutes (issue 13). */
    @Test
    void aBodyTooSlowOrTooLongIsAnswered408AndClosed() {
        channel.writeInbound(upload(10), chunk("ab"));
        for (int i = 0; i < 9; i++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
        assertTrue(channel.isOpen(), "within its first 10 s a body is not judged by its rate");
        channel.writeInbound(chunk("cd"));
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        FullHttpResponse late = response();
        assertEquals(408, late.status().code(), "4 bytes in 10 s is under 2 bytes a second");
        assertFalse(channel.isOpen());
        assertEquals(0, budget.used());
        assertEquals(List.of(), bodies);
    }

    @Test
    void aBodyMustArriveWithinItsDeadline() {
        EmbeddedChannel slow = channel(1000, Duration.ofSeconds(5));
        slow.writeInbound(upload(10));
        for (int i = 0; i < 4; i++) {
            slow.writeInbound(chunk("x"));
            slow.advanceTimeBy(1, TimeUnit.SECONDS);
            slow.runScheduledPendingTasks();
        }
        assertTrue(slow.isOpen());
        slow.advanceTimeBy(1, TimeUnit.SECONDS);
        slow.runScheduledPendingTasks();
        FullHttpResponse late = slow.readOutbound();
        assertEquals(408, late.status().code(), "5 s is the whole body's deadline, however steady it comes");
        late.release();
        assertFalse(slow.isOpen());
    }

    /** A client that goes away while its reply is made says so: work for it alone can be dropped. */
    @Test
    void aClientGoneStopsItsWait() {
        replies.put("/slow", new CompletableFuture<>());
        replies.put("/fast", CompletableFuture.completedFuture(Reply.json(200, "n", 1)));
        channel.writeInbound(get("/fast"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals(200, response().status().code());
        channel.writeInbound(get("/slow"), LastHttpContent.EMPTY_LAST_CONTENT);
        java.util.concurrent.atomic.AtomicInteger gone = new java.util.concurrent.atomic.AtomicInteger();
        waitings.forEach(w -> w.onGone(gone::incrementAndGet));
        assertEquals(0, gone.get(), "both still wanted");
        channel.close();
        assertEquals(1, gone.get(), "the one still being made is not wanted any more; the answered one was never told");
    }
}
