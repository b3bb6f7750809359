package io.imgedge.proxy;

import io.imgedge.proxy.cache.DiskTier;
import io.imgedge.proxy.cache.MemoryTier;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.config.BodyConfig;
import io.imgedge.proxy.config.CacheConfig;
import io.imgedge.proxy.config.ImgedgeConfig;
import io.imgedge.proxy.config.ThrottleConfig;
import io.imgedge.proxy.http.AccessLog;
import io.imgedge.proxy.http.BodyBudget;
import io.imgedge.proxy.http.HiveRoutes;
import io.imgedge.proxy.http.PublicResponder;
import io.imgedge.proxy.http.RequestHandler;
import io.imgedge.proxy.http.ServerState;
import io.imgedge.proxy.image.ImageService;
import io.imgedge.proxy.image.TemplateImages;
import io.imgedge.proxy.image.WatermarkImage;
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
import io.imgedge.proxy.template.TemplateParser;
import io.imgedge.proxy.template.Templates;
import io.imgedge.proxy.store.StoreService;
import io.imgedge.proxy.config.HiveConfig;
import io.imgedge.proxy.hive.HiveAccounts;
import io.imgedge.proxy.hive.HiveBlacklists;
import io.imgedge.proxy.hive.HiveProfiles;
import io.imgedge.proxy.hive.HiveProxyAuth;
import io.imgedge.proxy.hive.HiveSigner;
import io.imgedge.proxy.hive.HiveUploads;
import io.imgedge.proxy.hive.HiveUrls;
import io.imgedge.proxy.hive.MediaTypes;
import io.imgedge.proxy.hive.ProxyAuthTokens;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.vips.ImageLimits;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.LongSupplier;

/**
 * What one node is made of, wired in one place ({@link #wire}) and immutable after: origins,
 * limits, the store, the caches, the image path, the public responder and what every
 * connection's handler shares. {@link #close} stops what holds threads or connections,
 * {@link #releaseFiles} the caches' open files.
 */
record Services(HttpOrigin httpOrigin, LimitStore limitStore, ClientLimits clientLimits, StoreService store,
                Optional<StoreService> hiveProxyStore, HiveBlacklists hiveBlacklists, ProxyAuthTokens previewTokens,
                Templates templates, TemplateImages templateImages,
                ProcessingUrlParser parser, TieredCache results, TieredCache sources, ImageService images,
                PublicResponder responder, AccessLog accessLog, RequestHandler.Shared handler) implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Services.class);

    /** What the server owns and the services run on. */
    record Runtime(EventLoopGroup io, Transport transport, ExecutorService virtualThreads, ExecutorService evictor,
                   WorkerPool workers, Vips vips, ServerMetrics metrics, ServerState state, InstantSource clock,
                   LongSupplier ticker) {
    }

    static Services wire(ImgedgeConfig config, Runtime rt) throws SSLException {
        List<AutoCloseable> made = new ArrayList<>();
        try {
            ThrottleConfig throttle = config.throttle();
            HttpOrigin httpOrigin = closing(made, new HttpOrigin(rt.io(), rt.transport().clientChannel(),
                    config.sources().http(), config.limits().maxSourceBytes(), rt.virtualThreads(), throttle.breakerFailures(),
                    throttle.breakerWindow(), throttle.breakerCooldown(), rt.ticker()));
            LimitStore limitStore = closing(made, limitStore(throttle, rt));
            ClientLimits clientLimits = new ClientLimits(throttle, limitStore,
                    config.server().requestTimeout().plusSeconds(5), rt.metrics());
            long maxObject = Math.max(config.limits().maxSourceBytes(), config.upload().maxBytes());
            // uploads never take SVG: an original is served as is at /i/, and there it would be a document
            ImageLimits uploadLimits = new ImageLimits(config.limits().image().maxPixels(), config.limits().image().maxFrames());
            StoreService store = closing(made, new StoreService(StoreService.open(config.store(), rt.virtualThreads()),
                    config.store(), rt.workers(), rt.vips(), uploadLimits, maxObject, rt.virtualThreads(), rt.metrics()));
            HiveConfig hive = config.hive();
            // the imagehoster's proxy bucket, when it is served in place: health-checked like the store
            Optional<StoreService> hiveProxyStore = hive.enabled() && !hive.proxyStore().isEmpty()
                    ? Optional.of(closing(made, new StoreService(StoreService.open(config.store().withBackends(hive.proxyStore(), 1),
                    rt.virtualThreads()), config.store(), rt.workers(), rt.vips(), uploadLimits, maxObject, rt.virtualThreads(),
                    rt.metrics()))) : Optional.empty();
            HiveBlacklists blacklists = closing(made, new HiveBlacklists(hive, Duration.ofSeconds(10)));
            Origins origins = new Origins(httpOrigin, config.sources(), store.store(), config.limits().maxSourceBytes(),
                    rt.virtualThreads(), !hive.enabled() ? Origins.Hive.NONE : new Origins.Hive(hiveProxyStore.map(StoreService::store),
                    hive.keepFetched() ? bytes -> !MediaTypes.sniff(ByteBuffer.wrap(bytes)).equals(MediaTypes.UNKNOWN) : _ -> false,
                    blacklists.images()::refuses));
            ProcessingUrlParser parser = new ProcessingUrlParser(new SignatureVerifier(config.signing()),
                    config.limits().maxResultSide(), config.processing().presets(), config.processing().urls(),
                    config.sources().rewrite(), rt.vips().outputs());
            CacheConfig cache = config.cache();
            // memory tiers keep their books on the calling thread: a hand-off per batch of reads
            // would wake another thread from the hit path
            TieredCache results = new TieredCache("", Optional.of(new MemoryTier(cache.memoryBytes(), Runnable::run, true)),
                    diskTier("results", cache.resultDir(), cache.resultBytes(), cache.openFiles(), rt),
                    rt.virtualThreads(), rt.metrics());
            TieredCache sources = new TieredCache("source", Optional.of(new MemoryTier(cache.sourceMemoryBytes(), Runnable::run)),
                    diskTier("sources", cache.sourceDir(), cache.sourceBytes(), 0, rt), rt.virtualThreads(), rt.metrics());
            ImageService images = new ImageService(parser, origins, rt.workers(), rt.vips(), config.limits(),
                    config.processing(), cache, results, sources, rt.clock(), new MeteredEvents(rt.metrics()),
                    WatermarkImage.load(config.processing().watermark(), rt.vips(), config.limits().image()));
            store.onRepaired(key -> images.purgeSource("store:///" + key));
            blacklists.onChange(images::forgetParsedUrls);
            rt.metrics().bindWorkers(rt.workers());
            HiveAccounts accounts = new HiveAccounts(hive.rpcNodes(), hive.rpcTimeout(), hive.accountTtl(), rt.virtualThreads());
            ProxyAuthTokens previewTokens = closing(made, new ProxyAuthTokens(hive.enabled() ? throttle.redisUri() : "",
                    throttle.redisTimeout()));
            HiveRoutes hiveRoutes = new HiveRoutes(hive, new HiveUrls(hive, config.limits().maxResultSide()),
                    new HiveUploads(hive, accounts, new HiveSigner(hive.hiveSignerApi(), hive.rpcTimeout(), rt.virtualThreads()),
                            blacklists.accounts(), limitStore, store, rt.virtualThreads()),
                    new HiveProfiles(hive, accounts), blacklists.images(),
                    new HiveProxyAuth(hive, accounts, blacklists.accounts(), previewTokens, rt.clock()), images,
                    config.limits().busyStatus(),
                    "imgedge, libvips " + rt.vips().version());
            config.templates().fontsDir().ifPresent(fonts ->
                    LOG.info("templates: {} font files from {}", rt.vips().addFonts(fonts), fonts));
            Templates templates = new Templates(new TemplateParser(config.limits().maxResultSide()), config.templates().dir(),
                    Optional.of(store.store()));
            TemplateImages templateImages = new TemplateImages(templates, images, origins, rt.workers(), rt.vips(), results,
                    config.limits(), config.processing(), config.templates().throttle(), limitStore, rt.clock(),
                    new MeteredEvents(rt.metrics()));
            PublicResponder responder = new PublicResponder(images, store, rt.state(), config.upload(), clientLimits,
                    new ClientAddress(throttle.trustedProxies()), rt.metrics(), hiveRoutes, templateImages,
                    new SignatureVerifier(config.signing()), rt.ticker());
            // a template rendering's failures count against its customer's budget, not its caller's address
            AccessLog accessLog = new AccessLog(config.accessLog(), rt.clock(), new Tenants(config.upload().tenants()),
                    (route, uri) -> route.equals("template") ? templates.tenantOfUrl(uri) : Optional.empty());
            BodyConfig bodies = config.limits().bodies();
            clearSpool(bodies.spoolDir());
            BodyBudget budget = new BodyBudget(bodies.memory(), bodies.perClient());
            rt.metrics().bodyBytes(budget::used);
            RequestHandler.Shared handler = new RequestHandler.Shared(responder, rt.state(), rt.metrics(), accessLog,
                    config.server().requestTimeout(), config.limits().busyStatus(),
                    AsciiString.cached(config.server().nodeName()), bodies, budget, config.server().pathPrefix());
            return new Services(httpOrigin, limitStore, clientLimits, store, hiveProxyStore, blacklists, previewTokens, templates,
                    templateImages,
                    parser, results, sources, images, responder,
                    accessLog, handler);
        } catch (RuntimeException | SSLException e) {
            made.reversed().forEach(Services::closeQuietly);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T closing(List<AutoCloseable> made, T closeable) {
        made.add(closeable);
        return closeable;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("could not stop {}: {}", closeable, e.toString());
        }
    }

    /** Limits shared through Redis when {@code redis.uri} is set, else kept on this node. */
    private static LimitStore limitStore(ThrottleConfig throttle, Runtime rt) {
        LocalLimitStore local = new LocalLimitStore(rt.ticker());
        if (throttle.redisUri().isEmpty()) {
            rt.metrics().redisFallback(() -> false);
            return local;
        }
        RedisLimitStore redis = new RedisLimitStore(throttle.redisUri(), throttle.redisTimeout(), "imgedge:", local);
        rt.metrics().redisFallback(redis::fallingBack);
        return redis;
    }

    /** A disk tier, or none when it is not configured or its directory cannot be used. */
    private static Optional<DiskTier> diskTier(String name, Optional<Path> dir, long maxBytes, int openFiles, Runtime rt) {
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DiskTier(name, dir.get(), maxBytes, rt.evictor(), openFiles, rt.ticker()));
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cache tier {} disabled: cannot use {} ({})", name, dir.get(), e.toString());
            return Optional.empty();
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

    /** Waits up to {@code grace} for the caches' background writes. */
    void awaitWrites(java.time.Duration grace) throws InterruptedException {
        results.awaitWrites(grace);
        sources.awaitWrites(grace);
    }

    /** Stops the clients (origin pools, store health checks, Redis). */
    @Override
    public void close() {
        httpOrigin.close();
        store.close();
        hiveProxyStore.ifPresent(StoreService::close);
        hiveBlacklists.close();
        previewTokens.close();
        limitStore.close();
    }

    /** Lets go of the caches' open files: once no connection uses them (after the event loops stopped). */
    void releaseFiles() {
        results.close();
        sources.close();
    }
}
