package io.imgedge.proxy.origin;

import io.imgedge.proxy.error.CircuitOpenException;
import io.imgedge.proxy.net.SourceAllowList;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.imgedge.proxy.config.SourcesConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.net.RemoteUrls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;

import javax.net.ssl.SSLException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Fetches {@code http(s)://} originals with a non-blocking Netty client: one connection pool
 * per (resolved address, port, TLS, host), closed after {@value #POOL_IDLE_MINUTES} idle
 * minutes, redirects followed up to the configured count, the
 * byte limit enforced while the body streams in. Names are resolved on virtual threads and every
 * address, on every hop, passes the {@link AddressPolicy} before a connection is made to exactly
 * that address; every hop's URL must also pass the allow-list and port list. Each origin host
 * has a {@link CircuitBreaker}: while it is open, fetches fail at once with
 * {@link CircuitOpenException}. Thread-safe.
 */
public final class HttpOrigin implements AutoCloseable {
    private static final AttributeKey<Boolean> USED = AttributeKey.valueOf("imgedge.origin.used");
    private static final int IDLE_SECONDS = 30;
    /** A pool unused this long is closed, so one-off origins do not pile up. */
    private static final int POOL_IDLE_MINUTES = 5;
    private static final Duration POOL_IDLE = Duration.ofMinutes(POOL_IDLE_MINUTES);
    private static final int MAX_POOLS = 10_000;

    private record PoolKey(InetSocketAddress address, boolean tls, String host) {
    }

    /** What one hop connects to and asks for. */
    private record Target(String host, int port, boolean tls, String pathAndQuery, String hostHeader) {
        static Target of(URI uri) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean tls = switch (scheme) {
                case "https" -> true;
                case "http" -> false;
                default -> throw HttpError.badRequest("source URL must be http or https");
            };
            String host = uri.getHost();
            if (host == null || host.isEmpty()) {
                throw HttpError.badRequest("source URL has no host");
            }
            int defaultPort = tls ? 443 : 80;
            int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            return new Target(bare, port, tls, path + query, port == defaultPort ? host : host + ":" + port);
        }
    }

    private final SourcesConfig.HttpFetch config;
    /** Reloadable: which source URLs and ports may be fetched. */
    private volatile SourceAllowList allowList;
    private volatile java.util.Set<Integer> allowedPorts;
    private final long maxBytes;
    private final AddressPolicy policy;
    private final ExecutorService resolver;
    private final SslContext ssl;
    private final Bootstrap bootstrap;
    private final long acquireTimeout;
    private final Cache<PoolKey, FixedChannelPool> pools;
    private final Cache<String, CircuitBreaker> breakers;
    private final Function<String, CircuitBreaker> newBreaker;

    /**
     * @param breakerFailures failures of one origin host within {@code breakerWindow} that open its circuit
     * @param breakerCooldown how long an open circuit fails fetches without trying
     * @param ticker the nanosecond clock circuits time their window and cooldown with
     */
    public HttpOrigin(EventLoopGroup group, Class<? extends Channel> channelType, SourcesConfig.HttpFetch config,
                      long maxBytes, ExecutorService resolver, int breakerFailures, Duration breakerWindow,
                      Duration breakerCooldown, LongSupplier ticker) throws SSLException {
        this.config = config;
        this.allowList = config.allowList();
        this.allowedPorts = config.allowedPorts();
        this.breakers = Caffeine.newBuilder().expireAfterAccess(POOL_IDLE).maximumSize(MAX_POOLS).build();
        this.newBreaker = _ -> new CircuitBreaker(breakerFailures, breakerWindow, breakerCooldown, ticker);
        this.maxBytes = maxBytes;
        this.policy = new AddressPolicy(config.allowLoopback(), config.allowPrivate());
        this.resolver = resolver;
        this.ssl = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
        this.bootstrap = new Bootstrap().group(group).channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true);
        this.acquireTimeout = config.connectTimeout().plus(config.downloadTimeout()).toMillis();
        this.pools = Caffeine.newBuilder()
                .expireAfterAccess(POOL_IDLE)
                .maximumSize(MAX_POOLS)
                .executor(Runnable::run)
                .removalListener((PoolKey _, FixedChannelPool pool, RemovalCause _) -> {
                    if (pool != null) {
                        pool.closeAsync();
                    }
                })
                .build();
    }

    private FixedChannelPool newPool(PoolKey key) {
        return new FixedChannelPool(bootstrap.clone().remoteAddress(key.address()), new PoolHandler(key),
                ChannelHealthChecker.ACTIVE, FixedChannelPool.AcquireTimeoutAction.FAIL, acquireTimeout,
                config.maxConnectionsPerHost(), 4096, true, true);
    }

    /** Takes a new allow-list and port list for fetches from now on (reload). */
    public void allow(SourceAllowList list, java.util.Set<Integer> ports) {
        this.allowList = list;
        this.allowedPorts = ports;
    }

    /** Fetches {@code uri}, following redirects. Fails with an {@link HttpError}. */
    public CompletableFuture<Original> fetch(URI uri) {
        return fetch(uri, config.maxRedirects());
    }

    private CompletableFuture<Original> fetch(URI uri, int redirectsLeft) {
        Target target;
        try {
            target = checked(uri);
        } catch (HttpError e) {
            return CompletableFuture.failedFuture(e);
        }
        String origin = target.host().toLowerCase(Locale.ROOT) + ":" + target.port();
        CircuitBreaker breaker = breakers.get(origin, newBreaker);
        if (!breaker.tryAcquire()) {
            return CompletableFuture.failedFuture(new CircuitOpenException(origin, breaker.retryAfterSeconds()));
        }
        return resolve(target.host())
                .thenCompose(address -> exchange(new PoolKey(new InetSocketAddress(address, target.port()),
                        target.tls(), target.host()), target, false))
                .whenComplete((response, failure) -> {
                    boolean fault = failure != null ? originFault(failure) : response.status() >= 500;
                    if (fault) {
                        breaker.onFailure();
                    } else {
                        breaker.onSuccess();
                    }
                })
                .thenCompose(response -> {
                    int status = response.status();
                    if (status >= 200 && status < 300) {
                        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
                        return CompletableFuture.completedFuture(new Original(response.body(), type, response.passedOn()));
                    }
                    String location = response.headers().get(HttpHeaderNames.LOCATION);
                    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                        if (location == null) {
                            throw HttpError.badGateway("origin redirected without a Location", null);
                        }
                        if (redirectsLeft == 0) {
                            throw HttpError.badGateway("origin redirected too many times", null);
                        }
                        return fetch(redirectTarget(uri, location), redirectsLeft - 1);
                    }
                    throw HttpError.fromOrigin(status);
                });
    }

    /**
     * Why {@code uri} may not be fetched under the policy in force now, without resolving its
     * host: scheme, allow-list, port list, and a host that is an address (or {@code localhost})
     * of a kind refused. A cached copy of a refused source is not served either.
     */
    public Optional<HttpError> refusal(URI uri) {
        try {
            checked(uri);
            return Optional.empty();
        } catch (HttpError e) {
            return Optional.of(e);
        }
    }

    private Target checked(URI uri) {
        Target target = Target.of(uri);
        if (!allowList.allows(uri)) {
            throw HttpError.forbidden("source URL is not on the allow-list");
        }
        java.util.Set<Integer> ports = allowedPorts;
        if (!ports.isEmpty() && !ports.contains(target.port())) {
            throw HttpError.forbidden("source port " + target.port() + " is not allowed");
        }
        Optional<InetAddress> literal = literalAddress(target.host());
        if (literal.isPresent() && !policy.allows(literal.get())) {
            throw refusedAddress(literal.get());
        }
        return target;
    }

    /** The address a host names without a lookup: an IP literal, or loopback for {@code localhost} names. */
    private static Optional<InetAddress> literalAddress(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.equals("localhost") || name.endsWith(".localhost") || name.equals("localhost.")) {
            return Optional.of(InetAddress.getLoopbackAddress());
        }
        if (!name.contains(":") && !Character.isDigit(name.charAt(name.length() - 1))) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.ofLiteral(name));
        } catch (IllegalArgumentException notALiteral) {
            return Optional.empty();
        }
    }

    private static HttpError refusedAddress(InetAddress address) {
        return HttpError.forbidden("source address not allowed ("
                + AddressPolicy.classify(address).name().toLowerCase(Locale.ROOT) + ")");
    }

    /** Failures that say the origin is down or broken (not that a file is missing, nor our own limits). */
    private static boolean originFault(Throwable failure) {
        Throwable e = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return e instanceof HttpError error && (error.status() == 502 || error.status() == 504);
    }

    /** Where a redirect points, normalised as a source URL is before it is checked and fetched. */
    private static URI redirectTarget(URI from, String location) {
        URI target;
        try {
            target = from.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw HttpError.badGateway("origin redirected to an invalid URL", e);
        }
        try {
            return RemoteUrls.normalize(target);
        } catch (IllegalArgumentException e) {
            throw HttpError.forbidden("origin redirected to a refused URL: " + e.getMessage());
        }
    }

    private CompletableFuture<InetAddress> resolve(String host) {
        return CompletableFuture.supplyAsync(() -> {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                throw HttpError.badGateway("cannot resolve source host " + host, null);
            }
            for (InetAddress address : addresses) {
                if (policy.allows(address)) {
                    return address;
                }
            }
            throw refusedAddress(addresses[0]);
        }, resolver);
    }

    private CompletableFuture<OriginResponse> exchange(PoolKey key, Target target, boolean retried) {
        FixedChannelPool pool = pools.get(key, this::newPool);
        CompletableFuture<OriginResponse> result = new CompletableFuture<>();
        pool.acquire().addListener((Future<Channel> acquired) -> {
            if (!acquired.isSuccess()) {
                result.completeExceptionally(connectFailure(acquired.cause()));
                return;
            }
            Channel channel = acquired.getNow();
            channel.eventLoop().execute(() -> {
                boolean reused = channel.attr(USED).getAndSet(Boolean.TRUE) != null;
                ChannelHandlerContext ctx = channel.pipeline().context(ResponseCollector.class);
                ResponseCollector collector = (ResponseCollector) ctx.handler();
                collector.begin(ctx, result, maxBytes, config.downloadTimeout(), reused, () -> pool.release(channel));
                channel.writeAndFlush(request(target)).addListener(written -> {
                    if (!written.isSuccess()) {
                        collector.fail(ctx, new ResponseCollector.ClosedBeforeResponse(reused));
                    }
                });
            });
        });
        return result.exceptionallyCompose(e -> e instanceof ResponseCollector.ClosedBeforeResponse closed
                ? (closed.reused && !retried ? exchange(key, target, true)
                : CompletableFuture.failedFuture(HttpError.badGateway(closed.getMessage(), null)))
                : CompletableFuture.failedFuture(e));
    }

    private FullHttpRequest request(Target target) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                target.pathAndQuery(), Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, target.hostHeader())
                .set(HttpHeaderNames.USER_AGENT, config.userAgent())
                .set(HttpHeaderNames.ACCEPT, "image/*,*/*;q=0.8")
                .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        return request;
    }

    private static HttpError connectFailure(Throwable cause) {
        return switch (cause) {
            case ConnectTimeoutException _ -> HttpError.gatewayTimeout("cannot connect to origin in time");
            case java.util.concurrent.TimeoutException _ -> HttpError.unavailable("too many requests to this origin in flight");
            default -> HttpError.badGateway("cannot connect to origin: " + cause.getMessage(), cause);
        };
    }

    /** Closes every pool and its connections, waiting up to two seconds for them. */
    @Override
    public void close() {
        List<Future<Void>> closing = new ArrayList<>();
        pools.asMap().values().forEach(pool -> closing.add(pool.closeAsync()));
        pools.asMap().clear();
        for (Future<Void> f : closing) {
            f.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** Builds each new pooled connection's pipeline. */
    private final class PoolHandler extends AbstractChannelPoolHandler {
        private final PoolKey key;

        PoolHandler(PoolKey key) {
            this.key = key;
        }

        @Override
        public void channelCreated(Channel channel) {
            ChannelPipeline p = channel.pipeline();
            if (key.tls()) {
                p.addLast(ssl.newHandler(channel.alloc(), key.host(), key.address().getPort()));
            }
            p.addLast(new HttpClientCodec());
            p.addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS) {
                @Override
                protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                    ctx.close();
                }
            });
            p.addLast(new ResponseCollector());
        }
    }
}
