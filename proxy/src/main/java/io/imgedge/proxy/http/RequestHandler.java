package io.imgedge.proxy.http;

import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.ImageService;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The public request path, for HTTP/1.1 connections and HTTP/2 streams alike. A reply that is
 * ready at once (a memory hit, an error) is written straight away; otherwise reading pauses
 * while the work runs off the event loop (so responses keep request order on a keep-alive
 * connection) and the response is written back on it. Sharable: all state is in
 * the services it holds.
 */
@ChannelHandler.Sharable
public final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

    private final ImageService images;
    private final ServerState state;
    private final ServerMetrics metrics;
    private final AccessLog accessLog;
    private final Duration requestTimeout;

    public RequestHandler(ImageService images, ServerState state, ServerMetrics metrics, boolean accessLog,
                          Duration requestTimeout) {
        this.images = images;
        this.state = state;
        this.metrics = metrics;
        this.accessLog = new AccessLog(accessLog);
        this.requestTimeout = requestTimeout;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        Route route = Route.of(request.method(), request.uri(), request.decoderResult());
        Exchange exchange = Exchange.of(ctx.channel(), request, route.name());
        state.begin();
        CompletableFuture<Reply> reply = switch (route) {
            case Route.Health _ -> CompletableFuture.completedFuture(Reply.json(200, "status", "ok"));
            case Route.Ready _ -> CompletableFuture.completedFuture(state.draining()
                    ? Reply.error(HttpError.unavailable("draining")) : Reply.json(200, "status", "ready"));
            case Route.Process process -> images.process(process.path()).thenApply(Reply.Image::new);
            case Route.Rejected rejected -> CompletableFuture.completedFuture(Reply.error(rejected.error()));
        };
        boolean closeAfter = route instanceof Route.Rejected;
        if (reply.isDone()) {
            // a cache hit or an immediate error: answer now, on this event loop
            respond(ctx, exchange, outcome(exchange, reply), closeAfter, false);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        reply.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((_, _) -> ctx.executor().execute(
                        () -> respond(ctx, exchange, outcome(exchange, reply), closeAfter, true)));
    }

    private static Reply outcome(Exchange exchange, CompletableFuture<Reply> done) {
        try {
            return done.join();
        } catch (RuntimeException failure) {
            return Reply.error(report(exchange, ErrorMapper.toHttpError(failure)));
        }
    }

    /** @param resumeReading whether reading was paused for this request and must resume */
    private void respond(ChannelHandlerContext ctx, Exchange exchange, Reply reply, boolean closeAfter,
                         boolean resumeReading) {
        FullHttpResponse response = Responses.build(reply, exchange.ifNoneMatch(), exchange.head());
        if (closeAfter) {
            HttpUtil.setKeepAlive(response, false);
        }
        int status = response.status().code();
        long bytes = HttpUtil.getContentLength(response, 0L);
        String error = reply instanceof Reply.Json json && status >= 400 ? String.valueOf(json.body().get("error")) : null;
        String timing = reply instanceof Reply.Image image ? image.image().serverTiming() : null;
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            state.end();
            metrics.request(exchange.route(), status, exchange.elapsedNanos());
            accessLog.log(exchange, status, bytes, error, timing);
            if (!written.isSuccess() || closeAfter) {
                ctx.close();
            } else if (resumeReading) {
                ctx.channel().config().setAutoRead(true);
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
