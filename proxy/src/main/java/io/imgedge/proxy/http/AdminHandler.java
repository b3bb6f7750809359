package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin listener: {@code /health}, {@code /ready}, {@code /metrics}. When a token is
 * configured every call needs {@code Authorization: Bearer {token}}. Sharable.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final ServerState state;
    private final ServerMetrics metrics;
    private final byte[] token;

    public AdminHandler(ServerState state, ServerMetrics metrics, String token) {
        this.state = state;
        this.metrics = metrics;
        this.token = token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        Reply reply = answer(request);
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !request.decoderResult().isFailure();
        var response = Responses.build(reply, null, request.method().equals(HttpMethod.HEAD));
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private Reply answer(FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return Reply.error(HttpError.badRequest("malformed HTTP request"));
        }
        if (token != null) {
            String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
            if (!MessageDigest.isEqual(token, auth.getBytes(StandardCharsets.UTF_8))) {
                return Reply.error(HttpError.unauthorized("admin token required"));
            }
        }
        String uri = request.uri();
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            return Reply.error(HttpError.methodNotAllowed("method " + request.method() + " not allowed"));
        }
        return switch (path) {
            case "/health" -> Reply.json(200, "status", "ok");
            case "/ready" -> state.draining() ? Reply.error(HttpError.unavailable("draining")) : Reply.json(200, "status", "ready");
            case "/metrics" -> new Reply.Text(200, PROMETHEUS_TEXT, metrics.scrape());
            default -> Reply.error(HttpError.notFound("not found"));
        };
    }
}
