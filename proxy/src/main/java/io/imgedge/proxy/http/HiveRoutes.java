package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.config.HiveConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.hive.HiveBlacklist;
import io.imgedge.proxy.hive.HiveErrors;
import io.imgedge.proxy.hive.HiveKeys;
import io.imgedge.proxy.hive.HiveProfiles;
import io.imgedge.proxy.hive.HiveProxyAuth;
import io.imgedge.proxy.hive.HiveUploads;
import io.imgedge.proxy.hive.HiveUrls;
import io.imgedge.proxy.hive.MediaTypes;
import io.imgedge.proxy.image.ImageService;
import io.imgedge.proxy.image.MissAdmission;
import io.imgedge.proxy.url.Source;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The Hive imagehoster's routes, answered as it answers them (its routes.ts): its cache headers
 * (a year and immutable for images, ten minutes for the proxy failures it caches), its error
 * bodies, and CORS on uploads and health checks as koa/cors sets it (the request's Origin
 * allowed). Thread-safe.
 */
public final class HiveRoutes {
    /** What the imagehoster sends with every image it serves. */
    static final String IMMUTABLE = "public,max-age=29030400,immutable";
    /** What it sends with a /p/ image asked for with an editor-preview token. */
    static final String PRIVATE = "private, no-store";
    /** A proxy-auth body is {@code {"timestamp": ...}}. */
    static final long MAX_PROXY_AUTH_BODY = 4096;

    private final HiveConfig config;
    private final HiveUrls urls;
    private final HiveUploads uploads;
    private final HiveProfiles profiles;
    private final HiveBlacklist blacklist;
    private final HiveProxyAuth proxyAuth;
    private final ImageService images;
    private final int busyStatus;
    private final String version;

    /** @param busyStatus what a full transform queue answers ({@code limits.busy_status}) */
    /** @param blacklist the images refused */
    public HiveRoutes(HiveConfig config, HiveUrls urls, HiveUploads uploads, HiveProfiles profiles, HiveBlacklist blacklist,
                      HiveProxyAuth proxyAuth, ImageService images, int busyStatus, String version) {
        this.proxyAuth = proxyAuth;
        this.config = config;
        this.urls = urls;
        this.uploads = uploads;
        this.profiles = profiles;
        this.blacklist = blacklist;
        this.images = images;
        this.busyStatus = busyStatus;
        this.version = version;
    }

    boolean enabled() {
        return config.enabled();
    }

    long maxBody() {
        return config.maxImageBytes();
    }

    /** Checks an upload before its body is read. */
    Optional<HttpError> admit(Route route, HttpRequest request) {
        return uploads.admit(route instanceof Route.HiveUpload signed ? signed.signature() : null, request);
    }

    /** {@code /p/{base58 url}?...}. */
    CompletableFuture<Reply> proxy(Route.Hive route, MissAdmission admission, Waiting waiting) {
        CompletableFuture<Boolean> previewed = HiveUrls.token(route.query())
                .map(token -> proxyAuth.tokens().account(token).thenApply(Optional::isPresent))
                .orElse(CompletableFuture.completedFuture(false));
        return images.process(route.encoded() + "?" + route.query(), () -> urls.parse(route.encoded(), route.query()),
                        admission, waiting)
                .thenCombine(previewed, (image, preview) -> (Reply) new Reply.Image(image.withCacheControl(preview ? PRIVATE : IMMUTABLE)))
                .exceptionally(failure -> Reply.error(HiveErrors.proxy(failure, busyStatus)));
    }

    /** {@code POST /proxy-auth/{account}/{signature}}: an editor-preview token. */
    CompletableFuture<Reply> proxyAuth(Route.HiveProxyAuth route, HttpRequest request, RequestBody body) {
        return proxyAuth.authorize(route.account(), route.signature(), body.bytes())
                .<Reply>thenApply(json -> new Reply.Json(200, json, cors(request)))
                .exceptionally(failure -> Reply.error(HiveErrors.other(failure, busyStatus), cors(request)));
    }

    /** {@code /{w}x{h}/{url}}: 301 to its {@code /p/} form. */
    Reply legacy(Route.HiveLegacy route) {
        String location = HiveUrls.legacyLocation(route.width(), route.height(), route.url());
        return new Reply.Bytes(301, "text/plain", ByteBuffer.allocate(0), Map.of("location", location,
                "cache-control", location.contains("&token=") ? "private,no-store" : IMMUTABLE));
    }

    /** ecency's {@code /webp/...}: 302 to the same path without it, as ecency answers. */
    Reply webp(Route.HiveWebp route) {
        return new Reply.Bytes(302, "text/plain", ByteBuffer.allocate(0), Map.of("location", route.location()));
    }

    /** {@code /u/{account}/avatar[/{size}]}: 302 to its {@code /p/} form, cacheable for a day, as avatar.ts answers. */
    CompletableFuture<Reply> avatar(Route.HiveAvatar route) {
        long start = System.nanoTime();
        return redirect(profiles.avatar(route.account(), route.size()), "public,max-age=86400", start);
    }

    /** {@code /u/{account}/cover}: 302 to its {@code /p/} form, cacheable for ten minutes, as cover.ts answers. */
    CompletableFuture<Reply> cover(Route.HiveCover route) {
        long start = System.nanoTime();
        return redirect(profiles.cover(route.account()), "public,max-age=600", start);
    }

    private CompletableFuture<Reply> redirect(CompletableFuture<String> location, String cacheControl, long start) {
        return location.<Reply>thenApply(path -> new Reply.Bytes(302, "text/plain", ByteBuffer.allocate(0), Map.of(
                        "location", path, "cache-control", cacheControl, "server-timing",
                        String.format(Locale.ROOT, "api;dur=%.3f;desc=\"get_accounts API call\"", (System.nanoTime() - start) / 1e6))))
                .exceptionally(failure -> Reply.error(HiveErrors.other(failure, busyStatus)));
    }

    /** {@code POST /{account}/{signature}}, {@code /cs/...} and {@code /hs/{token}}. */
    CompletableFuture<Reply> upload(Route route, HttpRequest request, RequestBody body) {
        Supplier<Optional<HiveUploads.File>> file = () -> Multipart.file(request, body.bytes(), null)
                .map(f -> new HiveUploads.File(f.filename(), f.bytes()));
        return (route instanceof Route.HiveUpload signed
                        ? uploads.upload(signed.checksum(), signed.account(), signed.signature(), file)
                        : uploads.upload(((Route.HiveSignerUpload) route).token(), file))
                .<Reply>thenApply(json -> new Reply.Json(200, json, cors(request)))
                .exceptionally(failure -> Reply.error(HiveErrors.other(failure, busyStatus), cors(request)));
    }

    /** {@code GET /{key}[/{filename}]}: an upload from the store, typed by its first bytes. */
    CompletableFuture<Reply> stored(Route.HiveStored route) {
        if (blacklist.includes(route.key())) {
            return CompletableFuture.completedFuture(Reply.error(HiveErrors.other(
                    HttpError.unavailableForLegalReasons("this image is blacklisted"), busyStatus)));
        }
        return images.original(new Source.Stored(HiveKeys.objectName(route.key(), config.partitioned())))
                .<Reply>thenApply(entry -> new Reply.Bytes(200, MediaTypes.sniff(entry.payload()), entry.payload(),
                        Map.of("cache-control", IMMUTABLE)))
                .exceptionally(failure -> Reply.error(HiveErrors.other(failure, busyStatus)));
    }

    /** {@code /} and {@code /.well-known/healthcheck.json}: {@code {ok, version, date}}. */
    Reply health(HttpRequest request) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("version", version);
        json.put("date", Instant.now().toString());
        Map<String, String> headers = new LinkedHashMap<>(cors(request));
        headers.put("cache-control", "no-cache");
        return new Reply.Json(200, json, headers);
    }

    /**
     * {@code OPTIONS}: a CORS preflight answered as koa/cors answers it with the imagehoster's
     * settings (methods GET, POST, OPTIONS; headers Content-Type, Authorization); an OPTIONS that
     * is no preflight (no Origin or no Access-Control-Request-Method) finds no route: 404.
     */
    Reply preflight(HttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null || !request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
            return Reply.error(HiveErrors.of(HiveErrors.Code.NOT_FOUND, "no route for OPTIONS"));
        }
        return new Reply.Bytes(204, "text/plain", ByteBuffer.allocate(0), Map.of("access-control-allow-origin", origin,
                "access-control-allow-methods", "GET,POST,OPTIONS", "access-control-allow-headers", "Content-Type,Authorization",
                "vary", "Origin"));
    }

    /** koa/cors with its defaults: the request's Origin is allowed, and answers vary by it. */
    static Map<String, String> cors(HttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        return origin == null ? Map.of("vary", "Origin") : Map.of("access-control-allow-origin", origin, "vary", "Origin");
    }
}
