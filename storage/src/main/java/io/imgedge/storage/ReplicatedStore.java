package io.imgedge.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One store over N backends (MinIO servers, directories). Writes go to every backend at once and
 * succeed when {@code writeQuorum} of them took the object; a backend that missed it is recorded
 * for repair, and a write that misses the quorum is rolled back where it landed, so it leaves no
 * object behind. Reads try the backends in order, those last seen healthy first, and fail over to
 * the next within the call, also when one does not have the object. Health comes from
 * {@link #checkHealth()}, run in the background by the owner. Thread-safe; blocking (virtual
 * threads).
 */
public final class ReplicatedStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedStore.class);

    private final List<BlobStore> backends;
    private final int writeQuorum;
    private final ExecutorService executor;
    private final List<AtomicBoolean> up;
    private final Set<String> needsRepair = ConcurrentHashMap.newKeySet();

    /** @param executor runs the per-backend calls of one write or health check in parallel (virtual threads) */
    public ReplicatedStore(List<BlobStore> backends, int writeQuorum, ExecutorService executor) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("at least one backend is needed");
        }
        if (writeQuorum < 1 || writeQuorum > backends.size()) {
            throw new IllegalArgumentException("write quorum must be 1.." + backends.size() + ", got " + writeQuorum);
        }
        this.backends = List.copyOf(backends);
        this.writeQuorum = writeQuorum;
        this.executor = executor;
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
        int healthy = 0;
        for (int i = 0; i < checks.size(); i++) {
            boolean ok = succeeded(checks.get(i), backends.get(i), "health check");
            if (up.get(i).getAndSet(ok) != ok) {
                LOG.warn("store backend {} is {}", backends.get(i).name(), ok ? "up again" : "down");
            }
            healthy += ok ? 1 : 0;
        }
        return healthy;
    }

    @Override
    public Optional<Blob> get(String key, long maxBytes) {
        return read(key, b -> b.get(key, maxBytes));
    }

    @Override
    public Optional<Blob> get(String key, long offset, int length) {
        return read(key, b -> b.get(key, offset, length));
    }

    @Override
    public Optional<BlobInfo> stat(String key) {
        return read(key, b -> b.stat(key));
    }

    private <T> Optional<T> read(String key, Function<BlobStore, Optional<T>> op) {
        StoreException failure = null;
        boolean answered = false;
        for (int index : readOrder()) {
            try {
                Optional<T> found = op.apply(backends.get(index));
                if (found.isPresent()) {
                    return found;
                }
                answered = true;
            } catch (StoreException e) {
                LOG.debug("read of {} failed on {}, trying the next backend: {}", key, backends.get(index).name(), e.getMessage());
                failure = e;
            }
        }
        if (answered) {
            return Optional.empty();
        }
        throw new StoreException("no store backend could read " + key, failure);
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

    /**
     * Writes to every healthy backend in parallel.
     *
     * @throws StoreException when fewer than the write quorum took it; the object is then removed
     *                        again from the backends that had not held it before
     */
    @Override
    public void put(String key, byte[] bytes, String contentType) {
        BlobKey.check(key);
        List<Future<Boolean>> writes = new ArrayList<>(backends.size());
        for (int i = 0; i < backends.size(); i++) {
            BlobStore backend = backends.get(i);
            writes.add(up(i) ? executor.submit(() -> {
                boolean existed = backend.stat(key).isPresent();
                backend.put(key, bytes, contentType);
                return existed;
            }) : null);
        }
        List<Integer> written = new ArrayList<>();
        List<Integer> newlyWritten = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i) == null) {
                continue;
            }
            try {
                boolean existed = writes.get(i).get();
                written.add(i);
                if (!existed) {
                    newlyWritten.add(i);
                }
            } catch (ExecutionException e) {
                LOG.warn("write of {} to {} failed: {}", key, backends.get(i).name(), e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while writing " + key, e);
            }
        }
        if (written.size() < writeQuorum) {
            for (int i : newlyWritten) {
                try {
                    backends.get(i).delete(key);
                } catch (StoreException e) {
                    LOG.error("could not roll back {} on {}: {}", key, backends.get(i).name(), e.getMessage());
                    needsRepair.add(key);
                }
            }
            throw new StoreException("stored " + key + " on " + written.size() + " of " + backends.size()
                    + " backends, below the write quorum of " + writeQuorum, null);
        }
        if (written.size() < backends.size()) {
            needsRepair.add(key);
        } else {
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
        return merge(listings).map(MergedKey::key);
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

    /** A key and which of the merged listings hold it. */
    record MergedKey(String key, boolean[] in) {
    }

    /**
     * Merges sorted key streams into one sorted stream of distinct keys, each with the listings
     * that hold it. Closing the result closes them all.
     */
    static Stream<MergedKey> merge(List<Stream<String>> listings) {
        List<Iterator<String>> iterators = listings.stream().map(Stream::iterator).toList();
        record Head(String key, int source) {
        }
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing(Head::key).thenComparingInt(Head::source));
        for (int i = 0; i < iterators.size(); i++) {
            if (iterators.get(i).hasNext()) {
                heads.add(new Head(iterators.get(i).next(), i));
            }
        }
        Iterator<MergedKey> merged = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !heads.isEmpty();
            }

            @Override
            public MergedKey next() {
                String key = heads.peek().key();
                boolean[] in = new boolean[iterators.size()];
                while (!heads.isEmpty() && heads.peek().key().equals(key)) {
                    int source = heads.poll().source();
                    in[source] = true;
                    if (iterators.get(source).hasNext()) {
                        heads.add(new Head(iterators.get(source).next(), source));
                    }
                }
                return new MergedKey(key, in);
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(merged, Spliterator.ORDERED), false)
                .onClose(() -> listings.forEach(Stream::close));
    }

    private static boolean succeeded(Future<?> task, BlobStore backend, String what) {
        try {
            task.get();
            return true;
        } catch (ExecutionException e) {
            LOG.debug("{} of {} failed: {}", what, backend.name(), e.getCause().getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
