package io.imgedge.proxy;

import com.typesafe.config.ConfigException;
import io.imgedge.proxy.config.ImgedgeConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.proxy.config.ServerConfig;
import io.imgedge.proxy.http.AdminHandler;
import io.imgedge.proxy.http.AdminInitializer;
import io.imgedge.proxy.http.ConnectionLimit;
import io.imgedge.proxy.http.PublicInitializer;
import io.imgedge.proxy.http.Reloaded;
import io.imgedge.proxy.http.ServerState;
import io.imgedge.proxy.limit.ClientAddress;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.imgedge.proxy.tls.TlsContexts;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
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
    private final Supplier<ImgedgeConfig> source;
    private final ServerState state = new ServerState();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ServerMetrics metrics = new ServerMetrics();
    private final Transport transport = Transport.detect();
    private final EventLoopGroup acceptors;
    private final EventLoopGroup io;
    private final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final ExecutorService evictor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("cache-evict").factory());
    private final WorkerPool workers;
    private final Vips vips;
    /** Every listener; the admin one stays open while draining. */
    private final List<Channel> listeners = new ArrayList<>();
    private final Services services;
    private final ConnectionLimit connections;
    private final InetSocketAddress http;
    private final InetSocketAddress https;
    private final Channel adminListener;

    /** Wires the services and starts every listener; on failure everything started so far is stopped again. */
    private ImgedgeServer(ImgedgeConfig config, InstantSource clock, Supplier<ImgedgeConfig> source) throws Exception {
        this.config = checked(config);
        this.source = source;
        this.acceptors = transport.group(1);
        this.io = transport.group(config.server().ioThreads());
        this.vips = Vips.load(config.vipsLibrary());
        LongSupplier ticker = System::nanoTime;
        this.workers = new WorkerPool("vips", config.limits().workers(), config.limits().queue(),
                config.limits().queueWait(), ticker);
        Services wired = null;
        try {
            wired = Services.wire(config, new Services.Runtime(io, transport, virtualThreads, evictor, workers, vips,
                    metrics, state, clock, ticker));
            this.services = wired;
            ServerConfig server = config.server();
            this.connections = new ConnectionLimit(server.maxConnections(), metrics);
            // the TLS context (a self-signed certificate made, BoringSSL loaded: ~200 ms) before any
            // listener, so that once /health answers on HTTP the HTTPS port is open too
            SslContext tls = server.https() == null ? null : TlsContexts.server(server.https());
            this.http = (InetSocketAddress) listen(server.http(),
                    new PublicInitializer(null, server, services.handler(), connections)).localAddress();
            this.https = tls == null ? null : (InetSocketAddress) listen(server.https().listener(),
                    new PublicInitializer(tls, server, services.handler(), connections)).localAddress();
            this.adminListener = !config.admin().enabled() ? null : listen(config.admin().listener(), new AdminInitializer(
                    new AdminHandler(state, metrics, services.images(), services.templateImages(),
                            new SignatureVerifier(config.signing()), services.store(), virtualThreads,
                            config.admin().token(), this::reload), server.idleTimeout()));
        } catch (Exception | Error e) {
            stopNow(wired);
            throw e;
        }
    }

    /**
     * {@code config} once what its stages check beyond the keys' own values holds: presets
     * parse as processing options.
     *
     * @throws ConfigException naming the key when it does not
     */
    public static ImgedgeConfig checked(ImgedgeConfig config) {
        try {
            ProcessingUrlParser.checkPresets(config.limits().maxResultSide(), config.processing().presets(),
                    config.processing().urls());
        } catch (HttpError e) {
            throw new ConfigException.BadValue("imgedge.processing.presets", e.getMessage());
        }
        return config;
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
        return new ImgedgeServer(config, clock, source);
    }

    private Channel listen(ServerConfig.Listener listener, ChannelInitializer<SocketChannel> initializer)
            throws BindException, InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(acceptors, io).channel(transport.serverChannel())
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
        return Optional.ofNullable(adminListener).map(c -> (InetSocketAddress) c.localAddress());
    }

    public String vipsVersion() {
        return vips.version();
    }

    /** The formats results can be written in here (the platform's libvips decides some). */
    public Set<ImageFormat> outputs() {
        return vips.outputs();
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
        ImgedgeConfig fresh = checked(source.get());
        services.clientLimits().update(fresh.throttle());
        services.responder().trustedProxies(new ClientAddress(fresh.throttle().trustedProxies()));
        services.parser().presets(fresh.processing().presets());
        services.httpOrigin().allow(fresh.sources().http().allowList(), fresh.sources().http().allowedPorts());
        // after the new source policy is in force: a URL parsed in between would keep the old decision
        services.images().forgetParsedUrls();
        services.accessLog().update(fresh.accessLog());
        services.templates().reload();
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
        connections.drain();
        try {
            int left = state.awaitIdle(config.server().shutdownGrace());
            if (left > 0) {
                LOG.warn("shutting down with {} requests still in flight", left);
            }
            services.awaitWrites(config.server().shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopNow(services);
    }

    /** Stops everything at once; {@code wired} is null when the services were never made. */
    private void stopNow(Services wired) {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        if (wired != null) {
            wired.close();
        }
        for (EventLoopGroup group : new EventLoopGroup[]{io, acceptors}) {
            if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS)) {
                LOG.warn("event loops did not stop within 10 s; going on with shutdown");
            }
        }
        workers.close();
        virtualThreads.close();
        evictor.shutdown();
        if (wired != null) {
            wired.releaseFiles();
        }
        metrics.close();
    }
}
