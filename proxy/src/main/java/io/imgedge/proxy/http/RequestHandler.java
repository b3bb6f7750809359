package io.imgedge.proxy.http;

import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    public record Shared(Responder responder, ServerState state, ServerMetrics metrics, AccessLog accessLog,
                         Duration requestTimeout) {
    }

    /** A request whose body is being read. */
    private record Reading(Exchange exchange, Route route, HttpRequest request, CompositeByteBuf body, long limit) {
    }

    private final Shared shared;
    /** Messages that arrived while a reply was being produced, in order. */
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private boolean busy;
    private Reading reading;

    public RequestHandler(Shared shared) {
        this.shared = shared;
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
        Route route = Route.of(request.method(), request.uri(), request.decoderResult());
        Exchange exchange = Exchange.of(ctx.channel(), request, route.name());
        shared.state().begin();
        if (!route.takesBody()) {
            dispatch(ctx, exchange, shared.responder().answer(route, request, new byte[0]), route instanceof Route.Rejected);
            return;
        }
        long limit = shared.responder().maxBody(route);
        Optional<HttpError> refused = shared.responder().admit(route, request)
                .or(() -> HttpUtil.getContentLength(request, -1L) > limit
                        ? Optional.of(HttpError.tooLarge("body larger than " + limit + " bytes")) : Optional.empty());
        if (refused.isPresent()) {
            respond(ctx, exchange, Reply.error(refused.get()), true);
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        reading = new Reading(exchange, route, request, ctx.alloc().compositeBuffer(Integer.MAX_VALUE), limit);
    }

    private void content(ChannelHandlerContext ctx, HttpContent content) {
        Reading body = reading;
        if (body == null) {
            return; // the body of a request that takes none: ignored
        }
        if (body.body().readableBytes() + (long) content.content().readableBytes() > body.limit()) {
            reading = null;
            body.body().release();
            respond(ctx, body.exchange(), Reply.error(HttpError.tooLarge("body larger than " + body.limit() + " bytes")), true);
            return;
        }
        body.body().addComponent(true, content.content().retain());
        if (content instanceof LastHttpContent) {
            reading = null;
            byte[] bytes = ByteBufUtil.getBytes(body.body());
            body.body().release();
            dispatch(ctx, body.exchange(), shared.responder().answer(body.route(), body.request(), bytes), false);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Exchange exchange, CompletableFuture<Reply> reply, boolean closeAfter) {
        if (reply.isDone()) {
            respond(ctx, exchange, outcome(exchange, reply), closeAfter);
            return;
        }
        busy = true;
        ctx.channel().config().setAutoRead(false);
        reply.orTimeout(shared.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((_, _) -> ctx.executor().execute(() -> {
                    respond(ctx, exchange, outcome(exchange, reply), closeAfter);
                    busy = false;
                    while (!busy && !backlog.isEmpty() && ctx.channel().isActive()) {
                        channelRead(ctx, backlog.poll());
                    }
                    if (!busy) {
                        ctx.channel().config().setAutoRead(true);
                    }
                }));
    }

    private static Reply outcome(Exchange exchange, CompletableFuture<Reply> done) {
        try {
            return done.join();
        } catch (RuntimeException failure) {
            return Reply.error(report(exchange, ErrorMapper.toHttpError(failure)));
        }
    }

    private void respond(ChannelHandlerContext ctx, Exchange exchange, Reply reply, boolean closeAfter) {
        FullHttpResponse response = Responses.build(reply, exchange.ifNoneMatch(), exchange.head());
        boolean close = closeAfter || !exchange.keepAlive();
        if (close) {
            HttpUtil.setKeepAlive(response, false);
        } else if (exchange.http10()) {
            HttpUtil.setKeepAlive(response, true);
        }
        int status = response.status().code();
        long bytes = HttpUtil.getContentLength(response, 0L);
        String error = reply instanceof Reply.Json json && status >= 400 ? String.valueOf(json.body().get("error")) : null;
        String timing = reply instanceof Reply.Image image ? image.image().serverTiming() : null;
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            shared.state().end();
            shared.metrics().request(exchange.route(), status, exchange.elapsedNanos());
            shared.accessLog().log(exchange, status, bytes, error, timing);
            if (!written.isSuccess() || close) {
                ctx.close();
            }
        });
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
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
