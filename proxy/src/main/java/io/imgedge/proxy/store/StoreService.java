package io.imgedge.proxy.store;

import io.imgedge.proxy.config.StoreConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.imgedge.storage.Blob;
import io.imgedge.storage.BlobInfo;
import io.imgedge.storage.BlobStore;
import io.imgedge.storage.ContentKey;
import io.imgedge.storage.FileBlobStore;
import io.imgedge.storage.Pacer;
import io.imgedge.storage.ReplicaCheck;
import io.imgedge.storage.ReplicatedStore;
import io.imgedge.storage.S3BlobStore;
import io.imgedge.storage.StoreException;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.ImageInfo;
import io.imgedge.vips.ImageLimits;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The upload store as the server uses it: uploads (validated by libvips, then stored under their
 * content address at the write quorum), ranged reads and presigned redirects for {@code /i/},
 * background health checks, and replica checks and repairs one at a time. Store failures become
 * 503s. Thread-safe.
 */
public final class StoreService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreService.class);
    private static final Duration STALE_TEMPORARY = Duration.ofHours(1);

    /** What an upload stored: its content address and what libvips read of it. */
    public record Uploaded(String key, String sha256, ImageFormat format, int width, int height, long bytes,
                           boolean created) {
    }

    private final ReplicatedStore store;
    private final StoreConfig config;
    private final WorkerPool workers;
    private final Vips vips;
    private final ImageLimits limits;
    private final long maxObjectBytes;
    private final ExecutorService virtualThreads;
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile Consumer<String> onRepaired = _ -> { };
    private final ScheduledExecutorService health = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("store-health").factory());

    public StoreService(ReplicatedStore store, StoreConfig config, WorkerPool workers, Vips vips, ImageLimits limits,
                        long maxObjectBytes, ExecutorService virtualThreads, ServerMetrics metrics) {
        this.store = store;
        this.config = config;
        this.workers = workers;
        this.vips = vips;
        this.limits = limits;
        this.maxObjectBytes = maxObjectBytes;
        this.virtualThreads = virtualThreads;
        for (int i = 0; i < store.backends().size(); i++) {
            int index = i;
            metrics.storeBackendUp(store.backends().get(i).name(), () -> store.up(index));
        }
        metrics.storeDamagedReads(store, ReplicatedStore::damagedReads);
        store.checkHealth();
        health.scheduleWithFixedDelay(this::checkHealth, config.healthInterval().toMillis(),
                config.healthInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the configured backends: directories are created and cleared of temporaries a crash
     * left, missing buckets are created (a backend that cannot be reached is only logged: health
     * checks report it and it is used again once it answers).
     */
    public static ReplicatedStore open(StoreConfig config, ExecutorService virtualThreads) {
        List<BlobStore> backends = new ArrayList<>();
        for (StoreConfig.Backend backend : config.backends()) {
            backends.add(switch (backend) {
                case StoreConfig.Backend.File file -> {
                    FileBlobStore store = new FileBlobStore(file.dir());
                    int removed = store.removeStaleTemporaries(STALE_TEMPORARY);
                    if (removed > 0) {
                        LOG.info("removed {} unfinished writes from {}", removed, store.name());
                    }
                    yield store;
                }
                case StoreConfig.Backend.S3 s3 -> {
                    S3BlobStore store = new S3BlobStore(S3BlobStore.client(s3.server()), s3.bucket(), s3.name(),
                            s3.server().maxCalls());
                    try {
                        store.createBucketIfMissing();
                    } catch (StoreException e) {
                        LOG.warn("store backend {} is not reachable at start: {}", s3.name(), e.getMessage());
                    }
                    yield store;
                }
            });
        }
        return new ReplicatedStore(backends, config.writeQuorum(), virtualThreads, config.hedgeAfter());
    }

    /** The backing store, for {@code store:///} sources. */
    public BlobStore store() {
        return store;
    }

    /** An upload's bytes and what libvips read of them. */
    private record Checked(byte[] bytes, ImageInfo info) {
    }

    /**
     * Takes the upload's bytes on a transform worker (so no more are in memory at once than there
     * are workers, until stored), validates them there, then stores them under their content
     * address unless they are there already.
     *
     * @param bytes gives the upload's bytes; called on the worker, may fail with an {@link HttpError}
     * @return fails with the validation's {@code VipsException}, a full worker pool, or a 503
     * {@link HttpError} when the store cannot take the write
     */
    public CompletableFuture<Uploaded> upload(Supplier<byte[]> bytes) {
        return upload(bytes, (upload, info) -> ContentKey.of(ContentKey.sha256(upload), info.format().extension()));
    }

    /**
     * As {@link #upload(Supplier)}, stored under the key {@code keyOf} gives for the bytes and what
     * libvips read of them (another API's keys, such as the Hive imagehoster's).
     */
    public CompletableFuture<Uploaded> upload(Supplier<byte[]> bytes, BiFunction<byte[], ImageInfo, String> keyOf) {
        return workers.submit(() -> {
                    byte[] upload = bytes.get();
                    return new Checked(upload, vips.validate(upload, limits));
                })
                .thenApplyAsync(checked -> put(checked.info(), checked.bytes(), keyOf.apply(checked.bytes(), checked.info())),
                        virtualThreads);
    }

    private Uploaded put(ImageInfo info, byte[] bytes, String key) {
        String sha256 = ContentKey.sha256(bytes);
        boolean created = blocking(() -> {
            Optional<BlobInfo> existing = store.stat(key);
            if (existing.isPresent() && existing.get().size() == bytes.length) {
                return false;
            }
            store.put(key, bytes, info.format().mimeType());
            return true;
        });
        return new Uploaded(key, sha256, info.format(), info.width(), info.height(), bytes.length, created);
    }

    /** Part of a stored object, read straight from the store (not cached). */
    public CompletableFuture<Optional<Blob>> range(String key, long offset, int length) {
        return CompletableFuture.supplyAsync(() -> blocking(() -> store.get(key, offset, length)), virtualThreads);
    }

    /**
     * Where to redirect a client for an original when {@code store.redirect_originals} is on and
     * the store can presign; empty otherwise. Fails with 404 when there is no such object.
     */
    public CompletableFuture<Optional<URI>> redirect(String key) {
        if (!config.redirectOriginals()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.supplyAsync(() -> blocking(() -> {
            if (store.stat(key).isEmpty()) {
                throw HttpError.notFound("no such original");
            }
            return store.presign(key, config.presignTtl());
        }), virtualThreads);
    }

    /**
     * Runs {@code action} with the key of every object a repair replaces on some backend: a copy
     * read before the repair may be cached, and the caches must let go of it.
     */
    public void onRepaired(Consumer<String> action) {
        this.onRepaired = action;
    }

    /** Whether at least one backend passed its last health check. */
    public boolean ready() {
        for (int i = 0; i < store.backends().size(); i++) {
            if (store.up(i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Compares (and with {@code repair} fixes) every replica, paced at {@code store.repair_rate}.
     * Blocking.
     *
     * @return empty when a check is already running
     */
    public Optional<ReplicaCheck.Summary> check(boolean repair, Consumer<ReplicaCheck.Problem> problems) {
        if (!checking.compareAndSet(false, true)) {
            return Optional.empty();
        }
        Consumer<String> repaired = onRepaired;
        try {
            return Optional.of(blocking(() -> new ReplicaCheck(store, maxObjectBytes, Pacer.of(config.repairRate()))
                    .run(repair, problems.andThen(problem -> {
                        if (problem.repaired()) {
                            repaired.accept(problem.key());
                        }
                    }))));
        } finally {
            checking.set(false);
        }
    }

    private void checkHealth() {
        try {
            store.checkHealth();
        } catch (RuntimeException e) {
            LOG.warn("store health check failed: {}", e.toString());
        }
    }

    private static <T> T blocking(Supplier<T> call) {
        try {
            return call.get();
        } catch (StoreException e) {
            throw HttpError.unavailable("image store unavailable", e);
        }
    }

    @Override
    public void close() {
        health.shutdownNow();
    }
}
