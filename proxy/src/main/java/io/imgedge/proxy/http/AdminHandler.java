package io.imgedge.proxy.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigException;
import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.ImageService;
import io.imgedge.proxy.image.TemplateImages;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.imgedge.proxy.store.StoreService;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The admin listener: {@code GET /health}, {@code /ready}, {@code /metrics}, and
 * {@code POST /purge} with {@code {"url": "/{sig}/..."}} (one variant) or
 * {@code {"source": "https://..."}} (every variant of a source), {@code GET /store/verify} and
 * {@code POST /store/repair} (streamed, see {@link ReplicaReport}). When a token is configured
 * every call needs {@code Authorization: Bearer {token}}. Sharable.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String READ = "GET, HEAD";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final ServerState state;
    private final ServerMetrics metrics;
    private final ImageService images;
    private final StoreService store;
    private final ExecutorService blocking;
    private final byte[] token;
    private final Supplier<Reloaded> reload;
    private final TemplateImages templates;
    private final TemplateAdmin templateAdmin;

    /** @param reload reads the configuration again and applies the safe keys; returns what it reloaded */
    /** @param signatures how template previews sign the URLs they show */
    public AdminHandler(ServerState state, ServerMetrics metrics, ImageService images, TemplateImages templates,
                        SignatureVerifier signatures, StoreService store, ExecutorService blocking, String token,
                        Supplier<Reloaded> reload) {
        this.templates = templates;
        this.templateAdmin = new TemplateAdmin(templates, signatures, blocking);
        this.reload = reload;
        this.state = state;
        this.metrics = metrics;
        this.images = images;
        this.store = store;
        this.blocking = blocking;
        this.token = token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !request.decoderResult().isFailure();
        boolean head = request.method().equals(HttpMethod.HEAD);
        ctx.channel().config().setAutoRead(false);
        String path = path(request);
        boolean check = path.equals("/store/verify") && (request.method().equals(HttpMethod.GET))
                || path.equals("/store/repair") && request.method().equals(HttpMethod.POST);
        if (check && authorized(request)) {
            ReplicaReport report = new ReplicaReport(ctx, keepAlive);
            blocking.execute(() -> report.run(store, path.equals("/store/repair")));
            return;
        }
        answer(request).exceptionally(failure -> Reply.error(ErrorMapper.toHttpError(failure)))
                .thenAcceptAsync(reply -> {
                    var response = Responses.build(reply, Preconditions.NONE, head);
                    HttpUtil.setKeepAlive(response, keepAlive);
                    var written = ctx.writeAndFlush(response);
                    written.addListener(keepAlive ? (ChannelFutureListener) _ -> ctx.channel().config().setAutoRead(true)
                            : ChannelFutureListener.CLOSE);
                }, ctx.executor());
    }

    private CompletableFuture<Reply> answer(FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return done(Reply.error(HttpError.badRequest("malformed HTTP request")));
        }
        if (!authorized(request)) {
            return done(Reply.error(HttpError.unauthorized("admin token required", "Bearer realm=\"imgedge-admin\"")));
        }
        String path = path(request);
        boolean read = request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
        if (path.startsWith("/templates/")) {
            return templateAdmin.answer(request, path.substring("/templates/".length()));
        }
        return switch (path) {
            case "/health" -> read ? done(Reply.json(200, "status", "ok")) : notAllowed(request, READ);
            case "/ready" -> read ? done(state.draining() ? Reply.error(HttpError.unavailable("draining"))
                    : store.ready() ? Reply.json(200, "status", "ready")
                    : Reply.error(HttpError.unavailable("no store backend is up"))) : notAllowed(request, READ);
            case "/metrics" -> read ? done(new Reply.Text(200, PROMETHEUS_TEXT, metrics.scrape())) : notAllowed(request, READ);
            case "/purge" -> request.method().equals(HttpMethod.POST) ? purge(request) : notAllowed(request, "POST");
            case "/store/verify" -> notAllowed(request, "GET");
            case "/store/repair" -> notAllowed(request, "POST");
            case "/reload" -> request.method().equals(HttpMethod.POST) ? reload() : notAllowed(request, "POST");
            default -> done(Reply.error(HttpError.notFound("not found")));
        };
    }

    private CompletableFuture<Reply> reload() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Reloaded done = reload.get();
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("reloaded", done.reloaded());
                json.put("restart_needed", done.needRestart());
                return new Reply.Json(200, json);
            } catch (ConfigException e) {
                return Reply.error(HttpError.badRequest("configuration not reloaded: " + e.getMessage()));
            }
        }, blocking);
    }

    private boolean authorized(FullHttpRequest request) {
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        return token == null || MessageDigest.isEqual(token, auth.getBytes(StandardCharsets.UTF_8));
    }

    private static String path(FullHttpRequest request) {
        String uri = request.uri();
        return uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    }

    private CompletableFuture<Reply> purge(FullHttpRequest request) {
        JsonNode body;
        try (InputStream in = new ByteBufInputStream(request.content())) {
            body = Responses.JSON.readTree(in);
        } catch (IOException e) {
            return done(Reply.error(HttpError.badRequest("body must be JSON")));
        }
        JsonNode url = body == null ? null : body.get("url");
        JsonNode source = body == null ? null : body.get("source");
        JsonNode template = body == null ? null : body.get("template");
        long given = Stream.of(url, source, template).filter(Objects::nonNull).count();
        JsonNode which = url != null ? url : source != null ? source : template;
        if (given != 1 || !which.isTextual()) {
            return done(Reply.error(HttpError.badRequest(
                    "body must be {\"url\": \"/sig/...\"}, {\"source\": \"https://...\"} or {\"template\": \"id\"}")));
        }
        return CompletableFuture.supplyAsync(() -> {
            int removed = url != null ? images.purgeUrl(url.asText()) : source != null ? images.purgeSource(source.asText())
                    : templates.purge(template.asText());
            return Reply.json(200, "purged", removed);
        }, blocking);
    }

    private static CompletableFuture<Reply> notAllowed(FullHttpRequest request, String allow) {
        return done(Reply.error(HttpError.methodNotAllowed("method " + request.method() + " not allowed", allow)));
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
