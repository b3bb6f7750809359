package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.config.UploadConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.ImageService;
import io.imgedge.proxy.image.TemplateImages;
import io.imgedge.proxy.image.MissAdmission;
import io.imgedge.proxy.limit.ClientAddress;
import io.imgedge.proxy.limit.ClientLimits;
import io.imgedge.proxy.limit.Tenants;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.imgedge.proxy.limit.TokenBucket;
import io.imgedge.proxy.store.StoreService;
import io.imgedge.proxy.template.TemplateRequest;
import io.imgedge.proxy.url.ClientHints;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.proxy.url.Source;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.ImageInfo;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/** The public routes: each a few lines from route to service. Thread-safe. */
public final class PublicResponder implements Responder {
    private static ClientHints hints(HttpRequest request) {
        HttpHeaders h = request.headers();
        return ClientHints.of(h.get("sec-ch-dpr"), h.get("dpr"), h.get("sec-ch-width"), h.get("width"));
    }

    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final HttpError NOT_FOUND = HttpError.notFound("not found");
    /** What a POST to a path other than /upload answers when the Hive API is off. */
    private static final HttpError NOT_POST = HttpError.methodNotAllowed("method POST not allowed", "GET, HEAD");

    private final ImageService images;
    private final StoreService store;
    private final ServerState state;
    private final UploadConfig upload;
    private final Tenants tenants;
    private final Map<String, TokenBucket> uploadRates;
    private final ClientLimits limits;
    private volatile ClientAddress clients;
    private final ServerMetrics metrics;
    private final HiveRoutes hive;
    private final TemplateImages templates;
    private final SignatureVerifier signatures;

    /**
     * @param hive   the Hive imagehoster's routes, answered when it is enabled
     * @param ticker the nanosecond clock of the tenants' upload rates
     */
    public PublicResponder(ImageService images, StoreService store, ServerState state, UploadConfig upload,
                           ClientLimits limits, ClientAddress clients, ServerMetrics metrics, HiveRoutes hive,
                           TemplateImages templates, SignatureVerifier signatures, LongSupplier ticker) {
        this.hive = hive;
        this.templates = templates;
        this.signatures = signatures;
        this.images = images;
        this.store = store;
        this.state = state;
        this.upload = upload;
        this.limits = limits;
        this.clients = clients;
        this.metrics = metrics;
        this.tenants = new Tenants(upload.tenants());
        this.uploadRates = upload.tenants().stream().collect(Collectors.toMap(UploadConfig.Tenant::name,
                _ -> new TokenBucket(upload.rate(), upload.burst(), ticker), (a, _) -> a));
    }

    /** Believes X-Forwarded-For from these proxies from now on (reload). */
    public void trustedProxies(ClientAddress fresh) {
        this.clients = fresh;
    }

    @Override
    public Optional<HttpError> admit(Route route, HttpRequest request) {
        if (route instanceof Route.HiveUpload || route instanceof Route.HiveSignerUpload) {
            return hive.enabled() ? hive.admit(route, request) : Optional.of(NOT_POST);
        }
        if (route instanceof Route.HiveProxyAuth) {
            return hive.enabled() ? Optional.empty() : Optional.of(NOT_POST);
        }
        if (tenants.isEmpty()) {
            return Optional.of(HttpError.forbidden("uploads are not enabled (no upload.tokens configured)"));
        }
        Optional<String> tenant = tenants.tenant(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (tenant.isEmpty()) {
            return Optional.of(HttpError.unauthorized("a valid upload token is required (Authorization: Bearer ...)",
                    "Bearer realm=\"imgedge-upload\""));
        }
        long waitNanos = uploadRates.get(tenant.get()).tryTake();
        if (waitNanos == 0) {
            return Optional.empty();
        }
        metrics.throttled("upload_rate");
        return Optional.of(HttpError.tooManyRequests("upload rate limit reached for tenant " + tenant.get(),
                (waitNanos + 999_999_999L) / 1_000_000_000L));
    }

    @Override
    public long maxBody(Route route) {
        return switch (route) {
            case Route.HiveUpload _, Route.HiveSignerUpload _ -> hive.maxBody();
            case Route.HiveProxyAuth _ -> HiveRoutes.MAX_PROXY_AUTH_BODY;
            default -> upload.maxBytes();
        };
    }

    @Override
    public CompletableFuture<Reply> answer(Route route, HttpRequest request, RequestBody body, InetSocketAddress peer,
                                           Waiting waiting) {
        return switch (route) {
            case Route.Health _ -> done(Reply.json(200, "status", "ok"));
            case Route.Ready _ -> done(state.draining() ? Reply.error(HttpError.unavailable("draining"))
                    : store.ready() ? Reply.json(200, "status", "ready")
                    : Reply.error(HttpError.unavailable("no store backend is up")));
            case Route.Process process -> limited(request, peer, client -> images.process(process.path(),
                    request.headers().get(HttpHeaderNames.ACCEPT), hints(request), admission(client), waiting)
                    .thenApply(Reply.Image::new));
            case Route.TemplateImage t -> limited(request, peer, _ -> {
                try {
                    return templates.render(TemplateRequest.parse(t.path(), t.query(), signatures),
                            request.headers().get(HttpHeaderNames.ACCEPT)).thenApply(Reply.Image::new);
                } catch (HttpError e) {
                    return CompletableFuture.failedFuture(e);
                }
            });
            case Route.Info info -> limited(request, peer, _ -> images.info(info.path()).thenApply(PublicResponder::info));
            case Route.Hive p -> !hive.enabled() ? done(Reply.error(NOT_FOUND))
                    : limited(request, peer, client -> hive.proxy(p, admission(client), waiting));
            case Route.HiveLegacy legacy -> done(!hive.enabled() ? Reply.error(NOT_FOUND) : hive.legacy(legacy));
            case Route.HiveUpload _, Route.HiveSignerUpload _ -> !hive.enabled() ? done(Reply.error(NOT_POST))
                    : limited(request, peer, _ -> hive.upload(route, request, body));
            case Route.HiveProxyAuth auth -> !hive.enabled() ? done(Reply.error(NOT_POST))
                    : limited(request, peer, _ -> hive.proxyAuth(auth, request, body));
            case Route.HiveStored stored -> !hive.enabled() ? done(Reply.error(NOT_FOUND))
                    : limited(request, peer, _ -> hive.stored(stored));
            case Route.HiveWebp webp -> done(!hive.enabled() ? Reply.error(NOT_FOUND) : hive.webp(webp));
            case Route.HiveAvatar avatar -> !hive.enabled() ? done(Reply.error(NOT_FOUND))
                    : limited(request, peer, _ -> hive.avatar(avatar));
            case Route.HiveCover cover -> !hive.enabled() ? done(Reply.error(NOT_FOUND))
                    : limited(request, peer, _ -> hive.cover(cover));
            case Route.Preflight _ -> done(!hive.enabled() ? Reply.error(HttpError.methodNotAllowed("method OPTIONS not allowed",
                    "GET, HEAD")) : hive.preflight(request));
            case Route.HiveHealth _ -> done(!hive.enabled() ? Reply.error(NOT_FOUND) : hive.health(request));
            case Route.Upload _ -> limited(request, peer,
                    _ -> store.upload(() -> file(request, body)).thenApply(PublicResponder::uploaded));
            case Route.Original original -> limited(request, peer, _ -> original(original.key(), request));
            case Route.Rejected rejected -> done(Reply.error(rejected.error()));
        };
    }

    private MissAdmission admission(String client) {
        return client == null ? MissAdmission.ANY : () -> limits.beginMiss(client);
    }

    /**
     * Who is asking, for per-client limits: the tenant of a valid token, else the client's
     * address (through trusted proxies).
     */
    @Override
    public String client(HttpRequest request, InetSocketAddress peer) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            Optional<String> tenant = tenants.tenant(authorization);
            if (tenant.isPresent()) {
                return "tenant:" + tenant.get();
            }
        }
        if (peer == null) {
            return "unknown";
        }
        return ClientAddress.key(clients.of(peer.getAddress(), request.headers().get("x-forwarded-for")));
    }

    /**
     * Runs {@code work} for the client once its rate allows; with no client limits configured it
     * runs at once with a null client. A decision already made keeps the answer inline.
     */
    private CompletableFuture<Reply> limited(HttpRequest request, InetSocketAddress peer,
                                             Function<String, CompletableFuture<Reply>> work) {
        if (!limits.active()) {
            return work.apply(null);
        }
        String client = client(request, peer);
        CompletableFuture<Optional<HttpError>> admitted = limits.admit(client);
        if (admitted.isDone() && !admitted.isCompletedExceptionally() && admitted.join().isEmpty()) {
            return work.apply(client);
        }
        return admitted.thenCompose(refused -> refused.<CompletableFuture<Reply>>map(CompletableFuture::failedFuture)
                .orElseGet(() -> work.apply(client)));
    }

    private static Reply info(ImageInfo info) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", info.format().extension());
        json.put("width", info.width());
        json.put("height", info.height());
        json.put("frames", info.frames());
        json.put("orientation", info.orientation());
        json.put("alpha", info.hasAlpha());
        return new Reply.Json(200, json);
    }

    private static Reply uploaded(StoreService.Uploaded u) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("key", u.key());
        json.put("sha256", u.sha256());
        json.put("format", u.format().extension());
        json.put("width", u.width());
        json.put("height", u.height());
        json.put("bytes", u.bytes());
        json.put("url", "/i/" + u.key());
        json.put("source", "store:///" + u.key());
        return new Reply.Json(u.created() ? 201 : 200, json);
    }

    /**
     * The image in an upload body: the body itself, or the multipart field {@code file}. Reads a
     * spooled body back (within the body budget): call on a worker.
     *
     * @throws HttpError 400 for an empty upload or a multipart body that does not parse
     */
    static byte[] file(HttpRequest request, RequestBody body) {
        byte[] bytes = body.bytes();
        if (Multipart.isMultipart(request)) {
            bytes = Multipart.file(request, bytes, "file").map(Multipart.File::bytes).orElseThrow(() ->
                    HttpError.badRequest("a multipart upload needs a file field named \"file\""));
        } else if (request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").strip().toLowerCase(Locale.ROOT)
                .startsWith("multipart/")) {
            throw HttpError.badRequest("a multipart upload needs multipart/form-data with a boundary");
        }
        if (bytes.length == 0) {
            throw HttpError.badRequest("the upload is empty");
        }
        return bytes;
    }

    /** {@code /i/{key}}: 304 by the content address alone, a presigned redirect, a range, or the whole original. */
    private CompletableFuture<Reply> original(String key, HttpRequest request) {
        String etag = "\"" + key.substring(key.lastIndexOf('/') + 1, key.lastIndexOf('.')) + "\"";
        String type = ImageFormat.fromExtension(key.substring(key.lastIndexOf('.') + 1))
                .map(ImageFormat::mimeType).orElse("application/octet-stream");
        Map<String, String> headers = Map.of("etag", etag, "cache-control", IMMUTABLE, "accept-ranges", "bytes");
        if (EntityTags.noneMatchFails(request.headers().get(HttpHeaderNames.IF_NONE_MATCH), etag)) {
            return done(new Reply.Bytes(304, type, ByteBuffer.allocate(0), headers));
        }
        // If-Range (RFC 9110 13.1.5): the range only while the client's copy is this one, by a strong
        // ETag; a date can never match (originals have no Last-Modified), so it gets the whole
        String ifRange = request.headers().get(HttpHeaderNames.IF_RANGE);
        Optional<ByteRange> range = request.method().equals(HttpMethod.GET) && (ifRange == null || ifRange.strip().equals(etag))
                ? ByteRange.parse(request.headers().get(HttpHeaderNames.RANGE)) : Optional.empty();
        return store.redirect(key).thenCompose(redirect -> {
            if (redirect.isPresent()) {
                return done(new Reply.Bytes(302, type, ByteBuffer.allocate(0),
                        Map.of("location", redirect.get().toString(), "cache-control", "no-store")));
            }
            if (range.isPresent()) {
                return part(key, range.get(), type, headers);
            }
            return images.original(new Source.Stored(key))
                    .thenApply(entry -> new Reply.Bytes(200, type, entry.payload(), headers));
        });
    }

    private CompletableFuture<Reply> part(String key, ByteRange range, String type, Map<String, String> headers) {
        CompletableFuture<Long> size = range.suffix()
                ? store.range(key, 0, 1).thenApply(blob -> blob.map(b -> b.info().size()).orElse(-1L))
                : CompletableFuture.completedFuture(Long.MAX_VALUE);
        return size.thenCompose(known -> {
            if (known < 0) {
                return CompletableFuture.failedFuture(HttpError.notFound("no such original"));
            }
            long offset = range.offset(known);
            long length = Math.min(range.length(known), Integer.MAX_VALUE - 8);
            return store.range(key, offset, (int) Math.max(1, length)).thenApply(found -> {
                var blob = found.orElseThrow(() -> HttpError.notFound("no such original"));
                long total = blob.info().size();
                if (offset >= total) {
                    return Reply.error(HttpError.rangeNotSatisfiable("range starts past the end (" + total + " bytes)"),
                            Map.of("content-range", "bytes */" + total));
                }
                Map<String, String> h = new LinkedHashMap<>(headers);
                h.put("content-range", "bytes " + offset + "-" + (offset + blob.bytes().length - 1) + "/" + total);
                return (Reply) new Reply.Bytes(206, type, ByteBuffer.wrap(blob.bytes()), h);
            });
        });
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
