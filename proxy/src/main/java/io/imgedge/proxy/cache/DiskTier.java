package io.imgedge.proxy.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A directory of cache entries bounded by total bytes. Each entry is one file
 * ({@code ab/cd/{key}}, placed by {@link EntryFiles}) laid out as {@link EntryFormat} says: a
 * header, then the payload. Writes go to a temporary file renamed into place, so a reader sees
 * a whole entry or none. A file that is truncated, fails its checksum or is not ours is deleted
 * and reads as a miss. The index is rebuilt from the headers on start; the
 * least recently used entries are evicted in the background once the budget is passed.
 *
 * <p>Entries of at least {@value #OPEN_MIN_BYTES} bytes may also be kept open, verified, as
 * {@link SharedFile}s (up to a count), so that their payload can be sent straight from the file:
 * an entry is kept open when it is written or read whole (and checked), never read again for it,
 * so an entry the count has no room for costs no I/O.
 *
 * <p>Blocking: call from virtual threads. I/O failures (disk full, read-only) are logged,
 * counted in {@link #errors()} and otherwise ignored: the caller goes on without this tier.
 */
public final class DiskTier {
    private static final Logger LOG = LoggerFactory.getLogger(DiskTier.class);
    /**
     * Smallest payload kept open for sending from the file: below it, one write from memory
     * costs less than a separate head write, an fstat and sendfile under TCP_CORK (cleartext
     * HTTP/1.1 memory hits, CPU per request: 22 KB 10.8 us from memory vs 12.7 by sendfile,
     * 41 KB even, 76 KB about even, 202 KB 37 vs 24).
     */
    public static final int OPEN_MIN_BYTES = 64 << 10;

    /** What the index keeps per entry. */
    private record Indexed(long size, String sourceKey, long lastUse) {
    }

    private final String name;
    private final Path dir;
    /** The byte budget: the configured one, lowered when the filesystem turns out to hold less. */
    private final AtomicLong maxBytes;
    private final Map<String, Indexed> index = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong useClock = new AtomicLong();
    private final IoFailures failures;
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicBoolean evicting = new AtomicBoolean();
    private final Executor evictor;
    private final OpenFiles open;
    private final EntryFiles.Opener files;

    /** A tier that keeps no file open. */
    public DiskTier(String name, Path dir, long maxBytes, Executor evictor) throws IOException {
        this(name, dir, maxBytes, evictor, 0);
    }

    /** A tier on the system clock. */
    public DiskTier(String name, Path dir, long maxBytes, Executor evictor, int openFiles) throws IOException {
        this(name, dir, maxBytes, evictor, openFiles, System::nanoTime);
    }

    /**
     * Opens {@code dir} (creating it) and rebuilds the index from the files there.
     *
     * @param evictor   where eviction runs, one pass at a time (the caller owns it)
     * @param openFiles how many entries may be kept open for sending from the file; 0 = none
     * @param ticker    nanoseconds, for how often open files are checked
     */
    public DiskTier(String name, Path dir, long maxBytes, Executor evictor, int openFiles, LongSupplier ticker)
            throws IOException {
        this(name, dir, maxBytes, evictor, openFiles, ticker, EntryFiles.Opener.SYSTEM);
    }

    /** A tier whose entry files are opened by {@code files}. */
    DiskTier(String name, Path dir, long maxBytes, Executor evictor, int openFiles, LongSupplier ticker,
             EntryFiles.Opener files) throws IOException {
        this.name = name;
        this.files = files;
        this.dir = dir;
        this.maxBytes = new AtomicLong(maxBytes);
        this.evictor = evictor;
        this.open = new OpenFiles(openFiles, ticker);
        this.failures = new IoFailures(LOG, "cache tier " + name + " in " + dir, ticker);
        Files.createDirectories(dir);
        rebuild();
        evictIfNeeded();
    }

    public Optional<CachedImage> get(CacheKey key) {
        String hex = key.hex();
        if (!index.containsKey(hex)) {
            return Optional.empty();
        }
        FileChannel file = null;
        try {
            file = files.open(path(hex), StandardOpenOption.READ);
            EntryFormat.Header header = readHeader(file, hex);
            if (header == null) {
                return Optional.empty();
            }
            // heap, not direct: disk hits can be frequent and direct memory is freed only by a GC
            ByteBuffer payload = ByteBuffer.allocate(header.payloadLength());
            readFully(file, payload, header.length());
            payload.flip();
            if (EntryFormat.checksum(payload) != header.crc()) {
                drop(hex, "checksum mismatch");
                return Optional.empty();
            }
            index.computeIfPresent(hex, (_, e) -> new Indexed(e.size(), e.sourceKey(), useClock.incrementAndGet()));
            if (share(hex, file, header.length(), header.payloadLength(), header.etag())) {
                file = null;
            }
            return Optional.of(new CachedImage(payload, header.contentType(), header.etag(), header.createdAt(),
                    header.expiresAt(), header.sourceKey(), header.origin()));
        } catch (NoSuchFileException e) {
            forget(hex);
            return Optional.empty();
        } catch (IOException e) {
            failures.record("read", e);
            return Optional.empty();
        } finally {
            closeQuietly(file);
        }
    }

    /**
     * The entry of {@code key} open and verified, with a reference taken for the caller (who
     * releases it), or empty. Non-blocking.
     */
    public Optional<SharedFile> openFile(CacheKey key) {
        String hex = key.hex();
        return open.get(hex, () -> {
            try {
                evictor.execute(() -> drop(hex, "changed on disk while held open"));
            } catch (RejectedExecutionException shuttingDown) {
                // the entry is checked again when next read whole
            }
        });
    }

    /**
     * Reads and checks the header of an open entry file; a file that is not a whole entry of
     * {@code hex} is dropped and null returned.
     */
    private EntryFormat.Header readHeader(FileChannel file, String hex) throws IOException {
        long size = file.size();
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, EntryFormat.MAX_HEADER));
        readFully(file, head, 0);
        EntryFormat.Header header = EntryFormat.parse(head.array());
        if (header == null || !header.key().equals(hex) || size != header.fileSize()) {
            drop(hex, "truncated or not an entry");
            return null;
        }
        return header;
    }

    /**
     * Keeps a verified entry file open (its payload at {@code offset}, {@code length} bytes) when
     * it is big enough and files are kept; true if it was kept.
     */
    private boolean share(String hex, FileChannel file, long offset, int length, String etag) {
        return length >= OPEN_MIN_BYTES && index.containsKey(hex) && open.keep(hex, file, offset, length, etag, path(hex));
    }

    /** Closes an entry file (null: nothing), ignoring a failure to close it; also for {@link SharedFile}. */
    static void closeQuietly(FileChannel file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // read-only: nothing is lost
            }
        }
    }

    /** Fills {@code into} from {@code position}; a short file leaves it partly filled. */
    private static void readFully(FileChannel file, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = file.read(into, position);
            if (n < 0) {
                return;
            }
            position += n;
        }
    }

    public void put(CacheKey key, CachedImage entry) {
        Path target = path(key.hex());
        Path temp = null;
        FileChannel written = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), EntryFiles.TEMP_PREFIX, "");
            byte[] header = EntryFormat.encode(key.hex(), entry);
            if (header.length > EntryFormat.MAX_HEADER) {
                return;
            }
            written = files.open(temp, StandardOpenOption.WRITE, StandardOpenOption.READ);
            ByteBuffer[] parts = {ByteBuffer.wrap(header), entry.payload().duplicate()};
            while (parts[0].hasRemaining() || parts[1].hasRemaining()) {
                written.write(parts);
            }
            EntryFiles.move(temp, target);
            temp = null;
            long size = header.length + (long) entry.size();
            Indexed previous = index.put(key.hex(), new Indexed(size, entry.sourceKey(), useClock.incrementAndGet()));
            bytes.addAndGet(size - (previous == null ? 0 : previous.size()));
            open.forget(key.hex());
            // the bytes just written are the ones checked: kept open without reading them back
            if (share(key.hex(), written, header.length, entry.size(), entry.etag())) {
                written = null;
            }
            evictIfNeeded();
        } catch (IOException e) {
            if (IoFailures.isFull(e)) {
                full();
            }
            failures.record("write", e);
        } finally {
            closeQuietly(written);
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // already counted as a failed write
                }
            }
        }
    }

    public boolean remove(CacheKey key) {
        return drop(key.hex(), null);
    }

    /** Removes every entry of the source with {@code sourceKey}; returns how many. */
    public int removeSource(String sourceKey) {
        int removed = 0;
        for (Map.Entry<String, Indexed> e : index.entrySet()) {
            if (e.getValue().sourceKey().equals(sourceKey) && drop(e.getKey(), null)) {
                removed++;
            }
        }
        return removed;
    }

    public long bytes() {
        return bytes.get();
    }

    public int entries() {
        return index.size();
    }

    /** I/O failures so far (reads and writes). */
    public long errors() {
        return failures.count();
    }

    /** Entries dropped because they were truncated, corrupt or foreign. */
    public long corrupt() {
        return corrupt.get();
    }

    private Path path(String hex) {
        return EntryFiles.path(dir, hex);
    }

    private void rebuild() throws IOException {
        long start = System.nanoTime();
        int bad = EntryFiles.scan(dir, found -> {
            index.put(found.key(), new Indexed(found.size(), found.sourceKey(), found.modifiedMillis()));
            bytes.addAndGet(found.size());
        });
        useClock.set(index.values().stream().mapToLong(Indexed::lastUse).max().orElse(0));
        LOG.info("cache tier {}: {} entries, {} bytes in {} (index rebuilt in {} ms, {} bad files removed)",
                name, index.size(), bytes.get(), dir, (System.nanoTime() - start) / 1_000_000, bad);
    }

    private void evictIfNeeded() {
        if (bytes.get() > maxBytes.get() && evicting.compareAndSet(false, true)) {
            try {
                evictor.execute(this::evict);
            } catch (RejectedExecutionException e) {
                evicting.set(false);
            }
        }
    }

    /**
     * Drops least recently used entries until what was over 90% of the budget when it started is
     * freed; entries used since it started are kept. Runs again if puts meanwhile went over.
     */
    private void evict() {
        try {
            long excess = bytes.get() - maxBytes.get() * 9 / 10;
            List<Map.Entry<String, Indexed>> byAge = new ArrayList<>(index.entrySet());
            byAge.sort(Comparator.comparingLong(e -> e.getValue().lastUse()));
            long freed = 0;
            for (Map.Entry<String, Indexed> e : byAge) {
                if (freed >= excess) {
                    break;
                }
                Indexed now = index.get(e.getKey());
                if (now != null && now.lastUse() == e.getValue().lastUse() && drop(e.getKey(), null)) {
                    freed += now.size();
                }
            }
        } finally {
            evicting.set(false);
        }
        evictIfNeeded();
    }

    private boolean drop(String hex, String reason) {
        if (reason != null) {
            corrupt.incrementAndGet();
            LOG.warn("cache tier {}: dropping entry {} ({})", name, hex, reason);
        }
        try {
            Files.deleteIfExists(path(hex));
        } catch (IOException e) {
            failures.record("delete", e);
        }
        return forget(hex);
    }

    private boolean forget(String hex) {
        open.forget(hex);
        Indexed removed = index.remove(hex);
        if (removed != null) {
            bytes.addAndGet(-removed.size());
        }
        return removed != null;
    }

    /** Lets go of every open file (senders holding one finish first); the tier is not used after. */
    public void close() {
        open.close();
    }

    /**
     * The filesystem holds less than the budget says: the budget becomes 90% of what the tier
     * holds now, and the eviction that makes room for the next writes starts, so the tier does
     * not write, fail and write the same entries again for as long as the disk is full.
     */
    private void full() {
        long shrunk = Math.max(1, bytes.get() * 9 / 10);
        long was = maxBytes.getAndAccumulate(shrunk, Math::min);
        if (shrunk < was) {
            LOG.warn("cache tier {}: the filesystem of {} is full at {} bytes: budget lowered from {} to {} bytes",
                    name, dir, bytes.get(), was, Math.min(was, shrunk));
        }
        evictIfNeeded();
    }

    /** The budget in force: the configured one, or less once the filesystem was found full. */
    public long budget() {
        return maxBytes.get();
    }
}
