package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.SharedFile;
import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.ImageReply;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of the public routes, one instance per HTTP/1.1 connection or HTTP/2 stream:
 * routing, request bodies (collected up to the route's limit), keep-alive, response order and
 * bookkeeping. A reply that is ready at once (a memory hit, an error) is written straight away;
 * otherwise reading pauses while the work runs off the event loop, requests pipelined behind it
 * wait in order, and the response is written back on the event loop. Event-loop confined.
 */
public final class RequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

    /** What every connection's handler shares. */
    /** @param busyStatus what a full transform queue answers (503 or 429) */
    public record Shared(Responder responder, ServerState state, ServerMetrics metrics, AccessLog accessLog,
                         Duration requestTimeout, int busyStatus, AsciiString nodeName, ImageHeads heads) {
        public Shared(Responder responder, ServerState state, ServerMetrics metrics, AccessLog accessLog,
                      Duration requestTimeout, int busyStatus, AsciiString nodeName) {
            this(responder, state, metrics, accessLog, requestTimeout, busyStatus, nodeName, new ImageHeads(nodeName));
        }
    }

    /** A request whose body is being read. */
    private record Reading(Exchange exchange, Route route, HttpRequest request, CompositeByteBuf body, long limit) {
    }

    /**
     * How much of a refused body is read and dropped before the connection is closed: closing
     * with unread data would reset it and the client might never see the answer.
     */
    static final long DISCARD_LIMIT = 8L << 20;

    private final Shared shared;
    /** Messages that arrived while a reply was being produced, in order. */
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private boolean busy;
    /** Requests begun on this connection whose response is not written yet. */
    private int unanswered;
    private Reading reading;
    /** Bytes of a refused body still to drop before closing, or -1 when not dropping one. */
    private long discardLeft = -1;
    /** This HTTP/1.1 connection's clocks, told when a request starts and ends; null on HTTP/2 streams. */
    private ConnectionTimeouts guard;
    /** Where bytes are written past the HTTP/1.1 response encoder, or null (HTTP/2 streams). */
    private ChannelHandlerContext raw;
    /** Whether bodies may go out as files (sendfile): HTTP/1.1 without TLS. */
    private boolean cleartext;

    public RequestHandler(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        raw = ctx.pipeline().context(HttpResponseEncoder.class);
        guard = raw != null ? ctx.pipeline().get(ConnectionTimeouts.class) : null;
        if (guard != null) {
            guard.timeHeads();
        }
        cleartext = raw != null && ctx.pipeline().get(SslHandler.class) == null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (busy) {
            backlog.add(msg);
            return;
        }
        try {
            if (msg instanceof HttpRequest request) {
                begin(ctx, request);
            }
            if (msg instanceof HttpContent content) {
                content(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(ChannelHandlerContext ctx, HttpRequest request) {
        if (guard != null) {
            guard.requestStarted();
        }
        Route route = Route.of(request.method(), request.uri(), request.decoderResult());
        Exchange exchange = Exchange.of(ctx.channel(), request, route.name());
        shared.state().begin();
        unanswered++;
        if (!route.takesBody()) {
            dispatch(ctx, exchange, answer(route, request, new byte[0], exchange), route instanceof Route.Rejected);
            return;
        }
        long limit = shared.responder().maxBody(route);
        Optional<HttpError> refused = shared.responder().admit(route, request)
                .or(() -> HttpUtil.getContentLength(request, -1L) > limit
                        ? Optional.of(HttpError.tooLarge("body larger than " + limit + " bytes")) : Optional.empty());
        if (refused.isPresent()) {
            refuse(ctx, exchange, refused.get());
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        reading = new Reading(exchange, route, request, ctx.alloc().compositeBuffer(Integer.MAX_VALUE), limit);
    }

    /** Answers now and closes once the rest of the body is dropped (or too much of it came). */
    private void refuse(ChannelHandlerContext ctx, Exchange exchange, HttpError error) {
        discardLeft = DISCARD_LIMIT;
        respond(ctx, exchange, Reply.error(error), false, true, 0);
    }

    private void content(ChannelHandlerContext ctx, HttpContent content) {
        if (discardLeft >= 0) {
            discardLeft -= content.content().readableBytes();
            if (content instanceof LastHttpContent || discardLeft < 0) {
                discardLeft = -1;
                ctx.close();
            }
            return;
        }
        Reading body = reading;
        if (body == null) {
            return; // the body of a request that takes none: ignored
        }
        if (body.body().readableBytes() + (long) content.content().readableBytes() > body.limit()) {
            reading = null;
            body.body().release();
            refuse(ctx, body.exchange(), HttpError.tooLarge("body larger than " + body.limit() + " bytes"));
            content(ctx, content);
            return;
        }
        shared.metrics().bytesReceived(body.exchange().route(), content.content().readableBytes());
        body.body().addComponent(true, content.content().retain());
        if (content instanceof LastHttpContent) {
            reading = null;
            byte[] bytes = ByteBufUtil.getBytes(body.body());
            body.body().release();
            dispatch(ctx, body.exchange(), answer(body.route(), body.request(), bytes, body.exchange()), false);
        }
    }

    /** The responder's answer; one it throws instead of returning fails the future like any other. */
    private CompletableFuture<Reply> answer(Route route, HttpRequest request, byte[] body, Exchange exchange) {
        try {
            return shared.responder().answer(route, request, body,
                    exchange.remote() instanceof InetSocketAddress inet ? inet : null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Exchange exchange, CompletableFuture<Reply> reply, boolean closeAfter) {
        if (reply.isDone()) {
            respond(ctx, exchange, outcome(exchange, reply, shared.busyStatus()), closeAfter, false, originStatus(reply));
            return;
        }
        busy = true;
        ctx.channel().config().setAutoRead(false);
        reply.orTimeout(shared.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((_, _) -> ctx.executor().execute(() -> {
                    respond(ctx, exchange, outcome(exchange, reply, shared.busyStatus()), closeAfter, false,
                            originStatus(reply));
                    busy = false;
                    while (!busy && !backlog.isEmpty() && ctx.channel().isActive()) {
                        channelRead(ctx, backlog.poll());
                    }
                    if (!busy) {
                        ctx.channel().config().setAutoRead(true);
                    }
                }));
    }

    private static Reply outcome(Exchange exchange, CompletableFuture<Reply> done, int busyStatus) {
        try {
            return done.join();
        } catch (RuntimeException failure) {
            return Reply.error(report(exchange, ErrorMapper.toHttpError(failure, busyStatus)));
        }
    }

    /**
     * @param closeAfter    close the connection once the response is written
     * @param announceClose say {@code Connection: close} but leave the closing to the caller
     */
    private void respond(ChannelHandlerContext ctx, Exchange exchange, Reply reply, boolean closeAfter,
                         boolean announceClose, int originStatus) {
        // draining: an HTTP/1.1 client is told to go elsewhere for its next request
        boolean drained = raw != null && shared.state().draining();
        if (raw != null && reply instanceof Reply.Image(ImageReply image) && !closeAfter && !announceClose && !drained
                && exchange.keepAlive() && !exchange.head() && !exchange.http10()
                && !EntityTags.noneMatchFails(exchange.ifNoneMatch(), image.etag())) {
            // the common case, a 200 image on a keep-alive HTTP/1.1 connection: a head encoded once per
            // entry (ImageHeads) and the body from memory, or from its file where the channel allows
            raw.write(shared.heads().head(image), raw.voidPromise());
            long bytes = image.body().remaining();
            Optional<SharedFile> file = cleartext ? image.file().acquire() : Optional.empty();
            // a body from a file is a write of the head and a sendfile: corked, they leave in full segments
            boolean corked = file.isPresent() && cork(ctx.channel(), true);
            ChannelFuture written = raw.writeAndFlush(file.isPresent() ? new SharedFileRegion(file.get())
                    : Unpooled.wrappedBuffer(image.body().duplicate()));
            // a small body is usually out before writeAndFlush returns: no listener then
            if (written.isDone()) {
                imageWritten(ctx, exchange, image, bytes, corked, originStatus, written);
            } else {
                written.addListener((ChannelFutureListener) w -> imageWritten(ctx, exchange, image, bytes, corked,
                        originStatus, w));
            }
            return;
        }
        FullHttpResponse response = Responses.build(reply, exchange.ifNoneMatch(), exchange.head());
        response.headers().set(Responses.SERVED_BY, shared.nodeName());
        boolean close = closeAfter || (drained || !exchange.keepAlive()) && !announceClose;
        if (close || announceClose) {
            HttpUtil.setKeepAlive(response, false);
        } else if (exchange.http10()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        int status = response.status().code();
        long bytes = response.content().readableBytes();
        String error = reply instanceof Reply.Json json && status >= 400 ? String.valueOf(json.body().get("error")) : null;
        String timing = reply instanceof Reply.Image image ? image.image().serverTiming() : null;
        String cache = reply instanceof Reply.Image image ? image.image().cacheStatus() : null;
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written ->
                finished(ctx, exchange, status, bytes, error, cache, timing, originStatus, !written.isSuccess() || close));
    }

    private void imageWritten(ChannelHandlerContext ctx, Exchange exchange, ImageReply image, long bytes, boolean corked,
                              int originStatus, ChannelFuture written) {
        if (corked) {
            cork(written.channel(), false);
        }
        finished(ctx, exchange, 200, bytes, null, image.cacheStatus(), image.serverTiming(), originStatus,
                !written.isSuccess());
    }

    /** Sets TCP_CORK where the transport has it (epoll); true if it was set. */
    private static boolean cork(Channel channel, boolean on) {
        if (channel instanceof EpollSocketChannel epoll && channel.isActive()) {
            try {
                epoll.config().setTcpCork(on);
                return true;
            } catch (ChannelException closedMeanwhile) {
                return false;
            }
        }
        return false;
    }

    /** Bookkeeping once a response is written (or failed to be). */
    private void finished(ChannelHandlerContext ctx, Exchange exchange, int status, long bytes, String error,
                          String cache, String timing, int originStatus, boolean close) {
        if (guard != null) {
            guard.requestFinished();
        }
        shared.state().end();
        unanswered--;
        shared.metrics().route(exchange.route()).request(status, exchange.elapsedNanos(), bytes);
        shared.accessLog().log(exchange, status, bytes, error, cache, timing, originStatus);
        if (close) {
            ctx.close();
        }
    }

    /** What the origin answered for this request, for the access log: 0 when it was not asked. */
    private static int originStatus(CompletableFuture<Reply> done) {
        try {
            return done.join() instanceof Reply.Image(ImageReply image) ? image.originStatus() : 0;
        } catch (RuntimeException failure) {
            return ErrorMapper.unwrap(failure) instanceof HttpError error ? error.originStatus() : 0;
        }
    }

    private static HttpError report(Exchange exchange, HttpError error) {
        if (error.report()) {
            LOG.error("{} {} failed: {}", exchange.method(), exchange.uri(), error.getMessage(), error.getCause());
        }
        return error;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        backlog.forEach(ReferenceCountUtil::release);
        backlog.clear();
        if (reading != null) {
            reading.body().release();
            reading = null;
            shared.state().end();
            unanswered--;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ConnectionLimit.DRAIN) {
            if (unanswered == 0) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
