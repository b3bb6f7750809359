package io.imgedge.proxy.cache;

import io.imgedge.proxy.metrics.ServerMetrics;
import io.micrometer.core.instrument.Counter;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Memory in front of disk, either optional. Lookups try memory, then disk, promoting disk hits
 * to memory; stores go to memory at once and to disk in the background (write-behind, tracked so
 * that shutdown can wait for them). Disk I/O runs on the given virtual-thread executor.
 * Thread-safe.
 */
public final class TieredCache {
    /** Where a hit came from. */
    public enum Tier {
        MEMORY("hit-memory"), DISK("hit-disk");

        private final String header;

        Tier(String header) {
            this.header = header;
        }

        /** The {@code X-Cache} value of a fresh hit from this tier. */
        public String header() {
            return header;
        }
    }

    /** A cached entry and where it was found. */
    public record Hit(CachedImage entry, Tier tier) {
    }

    private final String name;
    private final Optional<MemoryTier> memory;
    private final Optional<DiskTier> disk;
    private final ExecutorService io;
    private final ServerMetrics metrics;
    private final Phaser pendingWrites = new Phaser(1);
    private final Counter memoryHits;
    private final Counter memoryMisses;
    private final Counter diskHits;
    private final Counter diskMisses;

    /** @param name metric label prefix of this cache's tiers ({@code ""} for results, {@code "source"} for originals) */
    public TieredCache(String name, Optional<MemoryTier> memory, Optional<DiskTier> disk, ExecutorService io,
                       ServerMetrics metrics) {
        this.name = name;
        this.memory = memory;
        this.disk = disk;
        this.io = io;
        this.metrics = metrics;
        // counted per tier present, from zero
        this.memoryHits = memory.isPresent() ? metrics.cacheLookups(tierLabel("memory"), "hit") : null;
        this.memoryMisses = memory.isPresent() ? metrics.cacheLookups(tierLabel("memory"), "miss") : null;
        this.diskHits = disk.isPresent() ? metrics.cacheLookups(tierLabel("disk"), "hit") : null;
        this.diskMisses = disk.isPresent() ? metrics.cacheLookups(tierLabel("disk"), "miss") : null;
        memory.ifPresent(m -> metrics.cacheBytes(tierLabel("memory"), m::bytes));
        disk.ifPresent(d -> {
            metrics.cacheBytes(tierLabel("disk"), d::bytes);
            metrics.cacheDiskFailures(tierLabel("disk"), d, DiskTier::errors, DiskTier::corrupt);
        });
    }

    public CompletableFuture<Optional<Hit>> get(CacheKey key) {
        CachedImage hit = inMemory(key);
        return hit != null ? CompletableFuture.completedFuture(Optional.of(new Hit(hit, Tier.MEMORY))) : onDisk(key);
    }

    /** The memory tier's entry for {@code key}, or null. Counts the lookup; non-blocking. */
    public CachedImage inMemory(CacheKey key) {
        if (memory.isEmpty()) {
            return null;
        }
        Optional<CachedImage> hit = memory.get().get(key);
        (hit.isPresent() ? memoryHits : memoryMisses).increment();
        return hit.orElse(null);
    }

    /**
     * The disk tier's entry for {@code key}, promoted to memory: the lookup after
     * {@link #inMemory} found nothing. Runs on the I/O executor.
     */
    public CompletableFuture<Optional<Hit>> onDisk(CacheKey key) {
        if (disk.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.supplyAsync(() -> {
            Optional<CachedImage> hit = disk.get().get(key);
            (hit.isPresent() ? diskHits : diskMisses).increment();
            hit.ifPresent(entry -> memory.ifPresent(m -> m.put(key, entry)));
            return hit.map(entry -> new Hit(entry, Tier.DISK));
        }, io);
    }

    /**
     * The disk tier's open, verified file of {@code key} when it holds exactly the bytes tagged
     * {@code etag}, retained for the caller (who releases it): for sending without a copy.
     * Empty when the disk tier does not hold it open (it opens entries it writes or reads whole)
     * or it holds other bytes. Non-blocking.
     */
    public Optional<SharedFile> file(CacheKey key, String etag, int length) {
        if (disk.isEmpty() || length < DiskTier.OPEN_MIN_BYTES) {
            return Optional.empty();
        }
        Optional<SharedFile> file = disk.get().openFile(key);
        if (file.isPresent() && (file.get().length() != length || !file.get().etag().equals(etag))) {
            file.get().release();
            return Optional.empty();
        }
        return file;
    }

    /**
     * Stores {@code entry} in memory, and on disk unless {@code memoryOnly}, if {@code wanted}
     * says so. {@code wanted} is asked again once the disk write is done: when it says no (the
     * entry was purged meanwhile), the written file is removed again.
     */
    public void put(CacheKey key, CachedImage entry, boolean memoryOnly, BooleanSupplier wanted) {
        if (!wanted.getAsBoolean()) {
            return;
        }
        memory.ifPresent(m -> m.put(key, entry));
        disk.filter(_ -> !memoryOnly).ifPresent(d -> {
            pendingWrites.register();
            try {
                io.execute(() -> {
                    try {
                        d.put(key, entry);
                        if (!wanted.getAsBoolean()) {
                            d.remove(key);
                        }
                    } finally {
                        pendingWrites.arriveAndDeregister();
                    }
                });
            } catch (RuntimeException rejected) {
                pendingWrites.arriveAndDeregister();
            }
        });
    }

    /** Removes {@code key} from memory now and from disk in the background. Non-blocking. */
    public void evict(CacheKey key) {
        memory.ifPresent(m -> m.remove(key));
        disk.ifPresent(d -> {
            try {
                io.execute(() -> d.remove(key));
            } catch (RuntimeException rejected) {
                // shutting down: the entry is checked again when next read
            }
        });
    }

    /** Removes {@code key} from both tiers (disk on the calling thread). */
    public int remove(CacheKey key) {
        int removed = memory.map(m -> m.remove(key) ? 1 : 0).orElse(0);
        return removed + disk.map(d -> d.remove(key) ? 1 : 0).orElse(0);
    }

    /** Removes every entry of a source from both tiers (disk on the calling thread). */
    public int removeSource(String sourceKey) {
        return memory.map(m -> m.removeSource(sourceKey)).orElse(0) + disk.map(d -> d.removeSource(sourceKey)).orElse(0);
    }

    /** Waits up to {@code timeout} for background disk writes started so far. */
    public void awaitWrites(Duration timeout) throws InterruptedException {
        int phase = pendingWrites.arrive();
        try {
            pendingWrites.awaitAdvanceInterruptibly(phase, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // shutting down anyway; unfinished writes leave only temporary files, removed on start
        }
        pendingWrites.register();
    }

    /** Lets go of the disk tier's open files; call once no request uses this cache any more. */
    public void close() {
        disk.ifPresent(DiskTier::close);
    }

    private String tierLabel(String tier) {
        return name.isEmpty() ? tier : name + "-" + tier;
    }
}
