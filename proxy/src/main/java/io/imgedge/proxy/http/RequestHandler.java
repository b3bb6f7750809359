package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.config.BodyConfig;
import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.ImageReply;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The public routes' state machine, one instance per HTTP/1.1 connection or HTTP/2 stream: a
 * request is routed, its body read ({@link BodyReader}), answered by the {@link Responder} and
 * written ({@link ResponseWriter}), in order. A reply that is ready at once (a memory hit, an
 * error) is written straight away; otherwise reading pauses while the work runs off the event
 * loop, requests pipelined behind it wait in order, and the response is written back on the
 * event loop. A refused body is answered at once and then read and dropped (up to
 * {@link #DISCARD_LIMIT}) before the connection closes. Event-loop confined.
 */
public final class RequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

    /**
     * What every connection's handler shares.
     *
     * @param busyStatus what a full transform queue answers (503 or 429)
     */
    public record Shared(Responder responder, ServerState state, ServerMetrics metrics, AccessLog accessLog,
                         Duration requestTimeout, int busyStatus, AsciiString nodeName, ImageHeads heads,
                         BodyConfig bodies, BodyBudget budget, String pathPrefix) {
        public Shared(Responder responder, ServerState state, ServerMetrics metrics, AccessLog accessLog,
                      Duration requestTimeout, int busyStatus, AsciiString nodeName, BodyConfig bodies, BodyBudget budget) {
            this(responder, state, metrics, accessLog, requestTimeout, busyStatus, nodeName, bodies, budget, "");
        }

        /** @param pathPrefix what every public path starts with (imgproxy's IMGPROXY_PATH_PREFIX), "" = none */
        public Shared(Responder responder, ServerState state, ServerMetrics metrics, AccessLog accessLog,
                      Duration requestTimeout, int busyStatus, AsciiString nodeName, BodyConfig bodies, BodyBudget budget,
                      String pathPrefix) {
            this(responder, state, metrics, accessLog, requestTimeout, busyStatus, nodeName, new ImageHeads(nodeName),
                    bodies, budget, pathPrefix);
        }
    }

    /** A request whose body is being read. */
    private record Reading(Exchange exchange, Route route, HttpRequest request, BodyReader body) {
    }

    /** The request whose reply is being made, told when nobody will read it. */
    private Waiting waiting;

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
    private ResponseWriter writer;

    public RequestHandler(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        writer = new ResponseWriter(ctx, shared);
        guard = writer.http1() ? ctx.pipeline().get(ConnectionTimeouts.class) : null;
        if (guard != null) {
            guard.timeHeads();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (busy) {
            if (backlog.isEmpty() && endOfBodiless(msg)) {
                ReferenceCountUtil.release(msg); // the end of the request being answered: nothing to keep
                return;
            }
            backlog.add(msg);
            // a client sending ahead (pipelining): no more is read until the reply is out; reading is
            // left on otherwise, saving two epoll_ctl calls per reply that is not ready at once
            ctx.channel().config().setAutoRead(false);
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

    /**
     * Whether {@code msg} is the empty last content that follows a request without a body. While a
     * reply is made with nothing queued, it ends that request: a request that takes a body is
     * answered only once its last content is in, and a next request's head would be queued first.
     */
    private static boolean endOfBodiless(Object msg) {
        return msg instanceof LastHttpContent last && !(msg instanceof HttpRequest) && !last.content().isReadable()
                && last.trailingHeaders().isEmpty();
    }

    private void begin(ChannelHandlerContext ctx, HttpRequest request) {
        if (guard != null) {
            guard.requestStarted();
        }
        Route route = Route.of(request.method(), request.uri(), request.decoderResult(), shared.pathPrefix());
        Exchange exchange = Exchange.of(ctx.channel(), request, route.name());
        shared.state().begin();
        unanswered++;
        if (!route.takesBody()) {
            dispatch(ctx, exchange, answer(route, request, RequestBody.EMPTY, exchange), route instanceof Route.Rejected,
                    RequestBody.EMPTY);
            return;
        }
        long limit = shared.responder().maxBody(route);
        long declared = HttpUtil.getContentLength(request, -1L);
        Optional<HttpError> refused = shared.responder().admit(route, request)
                .or(() -> declared > limit ? Optional.of(HttpError.tooLarge("body larger than " + limit + " bytes"))
                        : Optional.empty());
        if (refused.isPresent()) {
            refuse(ctx, exchange, refused.get());
            return;
        }
        BodyReader body;
        try {
            body = new BodyReader(ctx, shared.bodies(), shared.budget(), shared.responder().client(request, peer(exchange)),
                    limit, declared, error -> bodyLate(ctx, error));
        } catch (HttpError e) {
            refuse(ctx, exchange, e);
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        reading = new Reading(exchange, route, request, body);
    }

    /** Answers now and closes once the rest of the body is dropped (or too much of it came). */
    private void refuse(ChannelHandlerContext ctx, Exchange exchange, HttpError error) {
        discardLeft = DISCARD_LIMIT;
        respond(ctx, exchange, Reply.error(error), false, true, 0, RequestBody.EMPTY);
    }

    /** The body did not arrive in time: 408, and the connection is closed without reading more. */
    private void bodyLate(ChannelHandlerContext ctx, HttpError error) {
        Reading late = reading;
        reading = null;
        if (late != null && ctx.channel().isActive()) {
            respond(ctx, late.exchange(), Reply.error(error), true, false, 0, RequestBody.EMPTY);
        }
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
        shared.metrics().bytesReceived(body.exchange().route(), content.content().readableBytes());
        RequestBody whole;
        try {
            whole = body.body().offer(content);
        } catch (HttpError refused) {
            reading = null;
            refuse(ctx, body.exchange(), refused);
            content(ctx, content);
            return;
        }
        if (whole != null) {
            reading = null;
            dispatch(ctx, body.exchange(), answer(body.route(), body.request(), whole, body.exchange()), false, whole);
        }
    }

    /** The responder's answer; one it throws instead of returning fails the future like any other. */
    private CompletableFuture<Reply> answer(Route route, HttpRequest request, RequestBody body, Exchange exchange) {
        waiting = new Waiting();
        try {
            return shared.responder().answer(route, request, body, peer(exchange), waiting);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static InetSocketAddress peer(Exchange exchange) {
        return exchange.remote() instanceof InetSocketAddress inet ? inet : null;
    }

    private void dispatch(ChannelHandlerContext ctx, Exchange exchange, CompletableFuture<Reply> reply, boolean closeAfter,
                          RequestBody body) {
        if (reply.isDone()) {
            respond(ctx, exchange, outcome(exchange, reply, shared.busyStatus()), closeAfter, false, originStatus(reply), body);
            return;
        }
        busy = true;
        Waiting mine = waiting;
        // the event loop's own timer: no shared timer thread to wake or lock
        ScheduledFuture<?> deadline = ctx.executor().schedule(() -> reply.completeExceptionally(new TimeoutException()),
                shared.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        reply.whenComplete((_, failure) -> ctx.executor().execute(() -> {
                    deadline.cancel(false);
                    if (failure != null) {
                        mine.gone(); // timed out: nothing made for this request alone is still wanted
                    }
                    respond(ctx, exchange, outcome(exchange, reply, shared.busyStatus()), closeAfter, false,
                            originStatus(reply), body);
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

    /** Writes the reply; the request's body is let go once it is written. */
    private void respond(ChannelHandlerContext ctx, Exchange exchange, Reply reply, boolean closeAfter,
                         boolean announceClose, int originStatus, RequestBody body) {
        writer.write(exchange, reply, closeAfter, announceClose, (status, bytes, error, cache, timing, close) -> {
            body.close();
            finished(ctx, exchange, status, bytes, error, cache, timing, originStatus, close);
        });
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
        if (busy && waiting != null) {
            waiting.gone(); // the client went away (an HTTP/2 stream reset, a closed connection)
        }
        backlog.forEach(ReferenceCountUtil::release);
        backlog.clear();
        if (reading != null) {
            reading.body().abort();
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
