package io.imgedge.proxy;

import io.imgedge.proxy.cache.DiskTier;
import io.imgedge.proxy.cache.MemoryTier;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.config.BodyConfig;
import io.imgedge.proxy.config.CacheConfig;
import io.imgedge.proxy.config.ImgedgeConfig;
import io.imgedge.proxy.config.ServerConfig;
import io.imgedge.proxy.config.ThrottleConfig;
import io.imgedge.proxy.http.AccessLog;
import io.imgedge.proxy.http.AdminHandler;
import io.imgedge.proxy.http.AdminInitializer;
import io.imgedge.proxy.http.BodyBudget;
import io.imgedge.proxy.http.ConnectionLimit;
import io.imgedge.proxy.http.PublicInitializer;
import io.imgedge.proxy.http.PublicResponder;
import io.imgedge.proxy.http.RequestHandler;
import io.imgedge.proxy.http.ServerState;
import io.imgedge.proxy.image.ImageService;
import io.imgedge.proxy.image.MeteredEvents;
import io.imgedge.proxy.limit.ClientAddress;
import io.imgedge.proxy.limit.ClientLimits;
import io.imgedge.proxy.limit.LimitStore;
import io.imgedge.proxy.limit.LocalLimitStore;
import io.imgedge.proxy.limit.RedisLimitStore;
import io.imgedge.proxy.limit.Tenants;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.imgedge.proxy.origin.HttpOrigin;
import io.imgedge.proxy.origin.Origins;
import io.imgedge.proxy.store.StoreService;
import io.imgedge.proxy.tls.TlsContexts;
import io.imgedge.proxy.url.HiveUrls;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.vips.ImageLimits;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One imgedge node: listeners, event loops, worker pool and services, wired once. {@link #close}
 * drains gracefully: readiness turns 503, the public listeners stop accepting, open connections
 * are told to finish (idle HTTP/1.1 ones closed, HTTP/2 ones sent a GOAWAY), in-flight requests
 * get up to the configured grace period, and only then does the admin listener close.
 */
public final class ImgedgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImgedgeServer.class);

    private final ImgedgeConfig config;
    private final ServerState state = new ServerState();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ServerMetrics metrics = new ServerMetrics();
    private final EventLoopGroup acceptors;
    private final EventLoopGroup io;
    private final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final ExecutorService evictor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("cache-evict").factory());
    private final WorkerPool workers;
    private final Vips vips;
    /** Every listener; the admin one stays open while draining. */
    private final List<Channel> listeners = new ArrayList<>();
    private ConnectionLimit connections;
    private final InstantSource clock;
    private HttpOrigin httpOrigin;
    private StoreService store;
    private Supplier<ImgedgeConfig> source;
    private ClientLimits clientLimits;
    private ProcessingUrlParser urls;
    private ImageService images;
    private PublicResponder responder;
    private AccessLog accessLog;
    private LimitStore limitStore;
    private TieredCache results;
    private TieredCache sources;
    private InetSocketAddress http;
    private InetSocketAddress https;
    private InetSocketAddress admin;
    private Channel adminListener;

    private ImgedgeServer(ImgedgeConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
        IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.acceptors = new MultiThreadIoEventLoopGroup(1, factory);
        this.io = new MultiThreadIoEventLoopGroup(config.server().ioThreads(), factory);
        this.vips = Vips.load(config.vipsLibrary());
        this.workers = new WorkerPool("vips", config.limits().workers(), config.limits().queue(),
                config.limits().queueWait(), System::nanoTime);
    }

    /** Starts every listener; on failure everything started so far is stopped again. */
    public static ImgedgeServer start(ImgedgeConfig config) throws Exception {
        return start(config, InstantSource.system());
    }

    /** As {@link #start(ImgedgeConfig)}, with the clock that cache freshness is judged by (tests). */
    public static ImgedgeServer start(ImgedgeConfig config, InstantSource clock) throws Exception {
        return start(config, clock, () -> config);
    }

    /**
     * As {@link #start(ImgedgeConfig, InstantSource)}, with where {@link #reload()} (admin
     * {@code POST /reload}, SIGHUP) reads the configuration again.
     */
    public static ImgedgeServer start(ImgedgeConfig config, InstantSource clock, Supplier<ImgedgeConfig> source)
            throws Exception {
        ImgedgeServer server = new ImgedgeServer(config, clock);
        server.source = source;
        try {
            server.bind();
            return server;
        } catch (Exception e) {
            server.stopNow();
            throw e;
        }
    }

    private void bind() throws Exception {
        Class<? extends SocketChannel> clientChannel = Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
        ThrottleConfig throttle = config.throttle();
        httpOrigin = new HttpOrigin(io, clientChannel, config.sources().http(), config.limits().maxSourceBytes(),
                virtualThreads, throttle.breakerFailures(), throttle.breakerWindow(), throttle.breakerCooldown());
        limitStore = limitStore(throttle);
        clientLimits = new ClientLimits(throttle, limitStore,
                config.server().requestTimeout().plusSeconds(5), metrics);
        long maxObject = Math.max(config.limits().maxSourceBytes(), config.upload().maxBytes());
        // uploads never take SVG: an original is served as is at /i/, and there it would be a document
        ImageLimits uploadLimits = new ImageLimits(config.limits().image().maxPixels(), config.limits().image().maxFrames());
        store = new StoreService(StoreService.open(config.store(), virtualThreads), config.store(), workers, vips,
                uploadLimits, maxObject, virtualThreads, metrics);
        Origins origins = new Origins(httpOrigin, config.sources(), store.store(), config.limits().maxSourceBytes(),
                virtualThreads);
        urls = new ProcessingUrlParser(new SignatureVerifier(config.signing()),
                config.limits().maxResultSide(), config.processing().presets());
        CacheConfig cache = config.cache();
        // memory tiers keep their books on the calling thread: a hand-off per batch of reads
        // would wake another thread from the hit path
        results = new TieredCache("", Optional.of(new MemoryTier(cache.memoryBytes(), Runnable::run, true)),
                diskTier("results", cache.resultDir(), cache.resultBytes(), cache.openFiles()), virtualThreads, metrics);
        sources = new TieredCache("source", Optional.of(new MemoryTier(cache.sourceMemoryBytes(), Runnable::run)),
                diskTier("sources", cache.sourceDir(), cache.sourceBytes(), 0), virtualThreads, metrics);
        images = new ImageService(urls, origins, workers, vips, config.limits(), config.processing(),
                cache, results, sources, clock, new MeteredEvents(metrics));
        store.onRepaired(key -> images.purgeSource("store:///" + key));
        metrics.bindWorkers(workers);
        responder = new PublicResponder(images, store, state, config.upload(), clientLimits,
                new ClientAddress(throttle.trustedProxies()), metrics, config.hive(),
                new HiveUrls(config.limits().maxResultSide()));
        accessLog = new AccessLog(config.accessLog(), clock, new Tenants(config.upload().tenants()));
        BodyConfig bodies = config.limits().bodies();
        clearSpool(bodies.spoolDir());
        BodyBudget budget = new BodyBudget(bodies.memory(), bodies.perClient());
        metrics.bodyBytes(budget::used);
        RequestHandler.Shared handler = new RequestHandler.Shared(responder, state, metrics, accessLog,
                config.server().requestTimeout(), config.limits().busyStatus(), AsciiString.cached(config.server().nodeName()),
                bodies, budget);

        ServerConfig server = config.server();
        connections = new ConnectionLimit(server.maxConnections(), metrics);
        http = (InetSocketAddress) listen(server.http(), new PublicInitializer(null, server, handler, connections)).localAddress();
        if (server.https() != null) {
            SslContext ssl = TlsContexts.server(server.https());
            https = (InetSocketAddress) listen(server.https().listener(), new PublicInitializer(ssl, server, handler, connections))
                    .localAddress();
        }
        if (config.admin().enabled()) {
            adminListener = listen(config.admin().listener(), new AdminInitializer(
                    new AdminHandler(state, metrics, images, store, virtualThreads, config.admin().token(), this::reload), server.idleTimeout()));
            admin = (InetSocketAddress) adminListener.localAddress();
        }
    }

    /** Removes bodies a crash left half-spooled; the directory is this node's own. */
    private static void clearSpool(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException absent) {
            // made when the first large body comes
        } catch (IOException e) {
            LOG.warn("cannot clear the body spool {}: {}", dir, e.toString());
        }
    }

    /** Limits shared through Redis when {@code redis.uri} is set, else kept on this node. */
    private LimitStore limitStore(ThrottleConfig throttle) {
        LocalLimitStore local = new LocalLimitStore(System::nanoTime);
        if (throttle.redisUri().isEmpty()) {
            metrics.redisFallback(() -> false);
            return local;
        }
        RedisLimitStore redis = new RedisLimitStore(throttle.redisUri(), throttle.redisTimeout(), "imgedge:", local);
        metrics.redisFallback(redis::fallingBack);
        return redis;
    }

    /** A disk tier, or none when it is not configured or its directory cannot be used. */
    private Optional<DiskTier> diskTier(String name, Optional<Path> dir, long maxBytes, int openFiles) {
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DiskTier(name, dir.get(), maxBytes, evictor, openFiles));
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cache tier {} disabled: cannot use {} ({})", name, dir.get(), e.toString());
            return Optional.empty();
        }
    }

    private Channel listen(ServerConfig.Listener listener, ChannelInitializer<SocketChannel> initializer)
            throws BindException, InterruptedException {
        Class<? extends ServerChannel> channel = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap().group(acceptors, io).channel(channel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
        var bound = bootstrap.bind(listener.host(), listener.port()).await();
        if (!bound.isSuccess()) {
            BindException e = new BindException("cannot listen on " + listener.host() + ":" + listener.port()
                    + ": " + bound.cause().getMessage());
            e.initCause(bound.cause());
            throw e;
        }
        listeners.add(bound.channel());
        return bound.channel();
    }

    public InetSocketAddress httpAddress() {
        return http;
    }

    public Optional<InetSocketAddress> httpsAddress() {
        return Optional.ofNullable(https);
    }

    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(admin);
    }

    public String vipsVersion() {
        return vips.version();
    }

    /** What a reload did: the sections it applied, and the keys that changed but only take effect after a restart. */
    public record Reloaded(List<String> reloaded, List<String> needRestart) {
    }

    /** The keys a reload applies; a key under one of these (or equal to it) is reloaded. */
    private static final List<String> RELOADABLE = List.of("throttle.client", "processing.presets",
            "sources.http.allow_list", "sources.http.allowed_ports", "log.access");

    /**
     * Reads the configuration again and applies what can change while serving: per-client
     * limits and trusted proxies (throttle.client), presets, the source allow-list and port list,
     * access-log sampling. Connections stay open. Other changed keys are named (and logged) as
     * needing a restart; until then the running values stay.
     *
     * @throws com.typesafe.config.ConfigException when the configuration is invalid (nothing changes)
     */
    public synchronized Reloaded reload() {
        ImgedgeConfig fresh = source.get();
        clientLimits.update(fresh.throttle());
        responder.trustedProxies(new ClientAddress(fresh.throttle().trustedProxies()));
        urls.presets(fresh.processing().presets());
        httpOrigin.allow(fresh.sources().http().allowList(), fresh.sources().http().allowedPorts());
        // after the new source policy is in force: a URL parsed in between would keep the old decision
        images.forgetParsedUrls();
        accessLog.update(fresh.accessLog());
        // compared with the start: a key that is not reloaded keeps its start value until a restart
        List<String> needRestart = config.changedIn(fresh).stream()
                .filter(key -> RELOADABLE.stream().noneMatch(r -> key.equals(r) || key.startsWith(r + ".")))
                .toList();
        LOG.info("configuration reloaded: {}", String.join(", ", RELOADABLE));
        if (!needRestart.isEmpty()) {
            LOG.warn("changed keys that take effect only after a restart: {}", String.join(", ", needRestart));
        }
        return new Reloaded(RELOADABLE, needRestart);
    }

    /** Bytes libvips holds right now (tests check that abandoned work frees its memory). */
    public long nativeMemory() {
        return vips.trackedBytes();
    }

    /** The transform pool (tests fill it to check the fast 503). */
    public WorkerPool workers() {
        return workers;
    }

    /** Drains and stops; later calls return at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        state.drain();
        for (Channel listener : listeners) {
            if (listener != adminListener) {
                listener.close().awaitUninterruptibly();
            }
        }
        if (connections != null) {
            connections.drain();
        }
        try {
            int left = state.awaitIdle(config.server().shutdownGrace());
            if (left > 0) {
                LOG.warn("shutting down with {} requests still in flight", left);
            }
            for (TieredCache cache : new TieredCache[]{results, sources}) {
                if (cache != null) {
                    cache.awaitWrites(config.server().shutdownGrace());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopNow();
    }

    private void stopNow() {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        if (httpOrigin != null) {
            httpOrigin.close();
        }
        if (store != null) {
            store.close();
        }
        if (limitStore != null) {
            limitStore.close();
        }
        for (EventLoopGroup group : new EventLoopGroup[]{io, acceptors}) {
            if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS)) {
                LOG.warn("event loops did not stop within 10 s; going on with shutdown");
            }
        }
        workers.close();
        virtualThreads.close();
        evictor.shutdown();
        for (TieredCache cache : new TieredCache[]{results, sources}) {
            if (cache != null) {
                cache.close();
            }
        }
        metrics.close();
    }
}
