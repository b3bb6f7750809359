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
 * The public request path, for HTTP/1.1 connections and HTTP/2 streams alike. Reading pauses
 * while a request is answered (responses keep request order on a keep-alive connection), work
 * runs off the event loop, and the response is written back on it. Sharable: all state is in
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
        ctx.channel().config().setAutoRead(false);
        state.begin();
        CompletableFuture<Reply> reply = switch (route) {
            case Route.Health _ -> CompletableFuture.completedFuture(Reply.json(200, "status", "ok"));
            case Route.Ready _ -> CompletableFuture.completedFuture(state.draining()
                    ? Reply.error(HttpError.unavailable("draining")) : Reply.json(200, "status", "ready"));
            case Route.Process process -> images.process(process.path()).thenApply(Reply.Image::new);
            case Route.Rejected rejected -> CompletableFuture.completedFuture(Reply.error(rejected.error()));
        };
        reply.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(failure -> Reply.error(report(exchange, ErrorMapper.toHttpError(failure))))
                .thenAcceptAsync(r -> respond(ctx, exchange, r, route instanceof Route.Rejected), ctx.executor());
    }

    private void respond(ChannelHandlerContext ctx, Exchange exchange, Reply reply, boolean closeAfter) {
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
            if (written.isSuccess() && !closeAfter) {
                ctx.channel().config().setAutoRead(true);
            } else {
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
