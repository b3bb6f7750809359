package io.imgedge.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One store over N backends (MinIO servers, directories). Writes go to every backend at once and
 * succeed as soon as {@code writeQuorum} of them took the object; a backend that missed it (or is
 * still slow to take it) is recorded for repair, and a write that misses the quorum is rolled
 * back where it landed, so it leaves no object behind. Reads try the backends in order, those
 * last seen healthy first, hedged: one that does not answer within {@code hedgeAfter} is not
 * waited for, the next is asked too; they fail over to the next within the call, also when one
 * does not have the object, and content addresses are checked against their hash. Health comes
 * from {@link #checkHealth()}, run in the background by the owner. Thread-safe; blocking
 * (virtual threads).
 */
public final class ReplicatedStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedStore.class);
    /** The default wait before a read asks the next backend too. */
    public static final Duration HEDGE_AFTER = Duration.ofMillis(250);
    /** A health check that has not answered within this marks its backend down. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final List<BlobStore> backends;
    private final int writeQuorum;
    private final ExecutorService executor;
    private final List<AtomicBoolean> up;
    private final Set<String> needsRepair = ConcurrentHashMap.newKeySet();
    private final Duration hedgeAfter;
    private final AtomicLong damagedReads = new AtomicLong();

    /** A store that hedges reads after {@link #HEDGE_AFTER}. */
    public ReplicatedStore(List<BlobStore> backends, int writeQuorum, ExecutorService executor) {
        this(backends, writeQuorum, executor, HEDGE_AFTER);
    }

    /**
     * @param executor   runs the per-backend calls of reads, writes and health checks in parallel (virtual threads)
     * @param hedgeAfter how long a read waits for the backends asked before asking the next one too
     */
    public ReplicatedStore(List<BlobStore> backends, int writeQuorum, ExecutorService executor, Duration hedgeAfter) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("at least one backend is needed");
        }
        if (writeQuorum < 1 || writeQuorum > backends.size()) {
            throw new IllegalArgumentException("write quorum must be 1.." + backends.size() + ", got " + writeQuorum);
        }
        this.backends = List.copyOf(backends);
        this.writeQuorum = writeQuorum;
        this.executor = executor;
        this.hedgeAfter = hedgeAfter;
        this.up = backends.stream().map(_ -> new AtomicBoolean(true)).toList();
    }

    public List<BlobStore> backends() {
        return backends;
    }

    /** Whether backend {@code index} passed its last health check. */
    public boolean up(int index) {
        return up.get(index).get();
    }

    /** Keys written to fewer than all backends since start (what {@code repair} will find missing). */
    public Set<String> needsRepair() {
        return Set.copyOf(needsRepair);
    }

    /** Checks every backend in parallel and records which are up; returns how many are. */
    public int checkHealth() {
        List<Future<?>> checks = backends.stream().<Future<?>>map(b -> executor.submit(b::check)).toList();
        long deadline = System.nanoTime() + CHECK_TIMEOUT.toNanos();
        int healthy = 0;
        for (int i = 0; i < checks.size(); i++) {
            boolean ok = succeeded(checks.get(i), backends.get(i), "health check", deadline);
            if (up.get(i).getAndSet(ok) != ok) {
                LOG.warn("store backend {} is {}", backends.get(i).name(), ok ? "up again" : "down");
            }
            healthy += ok ? 1 : 0;
        }
        return healthy;
    }

    /**
     * The object, from the first backend with a good copy: reads are hedged (see
     * {@link #read}), and a content address is checked against its SHA-256: a copy that does not
     * match is counted ({@link #damagedReads()}), passed over for the next backend's, and
     * replaced by the good copy in the background.
     */
    @Override
    public Optional<Blob> get(String key, long maxBytes) {
        Optional<String> sha256 = ContentKey.expectedSha256(key);
        if (sha256.isEmpty()) {
            return read(key, b -> b.get(key, maxBytes));
        }
        Set<BlobStore> damaged = ConcurrentHashMap.newKeySet();
        Optional<Blob> blob = read(key, backend -> {
            Optional<Blob> copy = backend.get(key, maxBytes);
            if (copy.isPresent() && !ContentKey.sha256(copy.get().bytes()).equals(sha256.get())) {
                damagedReads.incrementAndGet();
                damaged.add(backend);
                needsRepair.add(key);
                LOG.warn("the copy of {} on {} does not match its content address: reading another", key, backend.name());
                throw new StoreException("damaged copy of " + key + " on " + backend.name(), null);
            }
            return copy;
        });
        blob.ifPresent(good -> damaged.forEach(backend -> executor.execute(() -> {
            try {
                backend.put(key, good.bytes(), ContentKey.mediaType(key));
                LOG.info("replaced the damaged copy of {} on {}", key, backend.name());
            } catch (StoreException e) {
                LOG.warn("could not replace the damaged copy of {} on {}: {}", key, backend.name(), e.getMessage());
            }
        })));
        return blob;
    }

    @Override
    public Optional<Blob> get(String key, long offset, int length) {
        return read(key, b -> b.get(key, offset, length));
    }

    @Override
    public Optional<BlobInfo> stat(String key) {
        return read(key, b -> b.stat(key));
    }

    /** Copies whose bytes did not match their content address, so far. */
    public long damagedReads() {
        return damagedReads.get();
    }

    /** Asks the backends in {@link #readOrder()}, hedged (see {@link HedgedRead}). */
    private <T> Optional<T> read(String key, Function<BlobStore, Optional<T>> op) {
        return new HedgedRead<>(executor, hedgeAfter, key, op).ask(readOrder().stream().map(backends::get).toList());
    }

    /** Healthy backends in configured order, then the others (they may be back already). */
    private List<Integer> readOrder() {
        List<Integer> order = new ArrayList<>(backends.size());
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < backends.size(); i++) {
                if (up(i) == (pass == 0)) {
                    order.add(i);
                }
            }
        }
        return order;
    }

    /** One backend's answer to a write: whether it held the object before, or how it failed. */
    private record Written(int index, boolean existed, Exception failure) {
    }

    /**
     * Writes to every healthy backend in parallel and returns as soon as the write quorum has
     * taken the object; the other writes finish in the background, and a backend that missed the
     * object is recorded for repair ({@link #needsRepair()}).
     *
     * @throws StoreException when fewer than the write quorum can take it; once every write has
     *                        ended the object is removed again from the backends that had not held it
     */
    @Override
    public void put(String key, byte[] bytes, String contentType) {
        BlobKey.check(key);
        BlockingQueue<Written> outcomes = new LinkedBlockingQueue<>();
        int launched = 0;
        for (int i = 0; i < backends.size(); i++) {
            if (!up(i)) {
                continue;
            }
            int index = i;
            BlobStore backend = backends.get(i);
            launched++;
            executor.execute(() -> {
                try {
                    boolean existed = backend.stat(key).isPresent();
                    backend.put(key, bytes, contentType);
                    outcomes.add(new Written(index, existed, null));
                } catch (Exception e) {
                    outcomes.add(new Written(index, false, e));
                }
            });
        }
        List<Written> done = new ArrayList<>();
        int succeeded = 0;
        try {
            while (succeeded < writeQuorum && launched - (done.size() - succeeded) >= writeQuorum) {
                Written outcome = outcomes.take();
                done.add(outcome);
                if (outcome.failure() == null) {
                    succeeded++;
                } else {
                    LOG.warn("write of {} to {} failed: {}", key, backends.get(outcome.index()).name(),
                            outcome.failure().getMessage());
                }
            }
            if (succeeded >= writeQuorum) {
                int pending = launched - done.size();
                boolean complete = launched == backends.size() && succeeded == done.size();
                if (pending == 0 && complete) {
                    needsRepair.remove(key);
                } else {
                    needsRepair.add(key);
                    if (pending > 0) {
                        // the rest finish after the answer; a slow replica is repaired if it never takes it
                        int rest = pending;
                        boolean allSoFar = complete;
                        executor.execute(() -> finish(key, outcomes, rest, allSoFar));
                    }
                }
                return;
            }
            // the quorum cannot be reached: wait for the rest (their timeouts bound it), then roll back
            while (done.size() < launched) {
                done.add(outcomes.take());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while writing " + key, e);
        }
        for (Written outcome : done) {
            if (outcome.failure() == null && !outcome.existed()) {
                try {
                    backends.get(outcome.index()).delete(key);
                } catch (StoreException e) {
                    LOG.error("could not roll back {} on {}: {}", key, backends.get(outcome.index()).name(), e.getMessage());
                    needsRepair.add(key);
                }
            }
        }
        throw new StoreException("stored " + key + " on " + succeeded + " of " + backends.size()
                + " backends, below the write quorum of " + writeQuorum, null);
    }

    /** Waits for the writes still running after a write returned; all of them good: nothing to repair. */
    private void finish(String key, BlockingQueue<Written> outcomes, int pending, boolean allSoFar) {
        boolean all = allSoFar;
        try {
            for (int i = 0; i < pending; i++) {
                Written outcome = outcomes.take();
                if (outcome.failure() != null) {
                    all = false;
                    LOG.warn("write of {} to {} failed after the quorum took it: {}", key,
                            backends.get(outcome.index()).name(), outcome.failure().getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (all) {
            needsRepair.remove(key);
        }
    }

    /** Removes the object from every backend that answers; true when one had it. */
    @Override
    public boolean delete(String key) {
        boolean any = false;
        for (BlobStore backend : backends) {
            try {
                any |= backend.delete(key);
            } catch (StoreException e) {
                LOG.warn("delete of {} failed on {}: {}", key, backend.name(), e.getMessage());
                needsRepair.add(key);
            }
        }
        return any;
    }

    /** The union of the healthy backends' keys, in order, without duplicates. */
    @Override
    public Stream<String> list(String prefix) {
        List<Stream<String>> listings = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            if (up(i)) {
                listings.add(backends.get(i).list(prefix));
            }
        }
        return MergedListing.merge(listings).map(MergedListing.Key::key);
    }

    /** At least one backend answers. */
    @Override
    public void check() {
        if (checkHealth() == 0) {
            throw new StoreException("no store backend is up", null);
        }
    }

    @Override
    public Optional<URI> presign(String key, Duration ttl) {
        for (int index : readOrder()) {
            if (up(index)) {
                return backends.get(index).presign(key, ttl);
            }
        }
        return Optional.empty();
    }

    @Override
    public String name() {
        return "replicated" + backends.stream().map(BlobStore::name).toList();
    }

    /** Whether {@code task} succeeded by {@code deadline} (System.nanoTime); one still running is cancelled. */
    private static boolean succeeded(Future<?> task, BlobStore backend, String what, long deadline) {
        try {
            task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException e) {
            LOG.debug("{} of {} failed: {}", what, backend.name(), e.getCause().getMessage());
            return false;
        } catch (TimeoutException e) {
            task.cancel(true);
            LOG.debug("{} of {} did not answer in time", what, backend.name());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
