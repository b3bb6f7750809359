package io.imgedge.proxy.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiskTierTest {
    @TempDir
    Path dir;

    static CacheKey key(int i) {
        return MemoryTierTest.key(i);
    }

    static CachedImage entry(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + seed);
        }
        return new CachedImage(CachedImage.direct(bytes), "image/webp", "\"etag-" + seed + "\"", 123, 456, "source-" + seed);
    }

    Path file(CacheKey key) {
        return dir.resolve(key.hex().substring(0, 2)).resolve(key.hex().substring(2, 4)).resolve(key.hex());
    }

    @Test
    void roundTripAndIndexRebuiltOnReopen() throws IOException {
        DiskTier tier = new DiskTier("t", dir, 1 << 20, Runnable::run);
        tier.put(key(1), entry(1000, 1));
        tier.put(key(2), entry(2000, 2));
        assertEquals(entry(1000, 1).etag(), tier.get(key(1)).orElseThrow().etag());
        DiskTier reopened = new DiskTier("t", dir, 1 << 20, Runnable::run);
        assertEquals(2, reopened.entries());
        assertTrue(reopened.bytes() > 3000);
        CachedImage read = reopened.get(key(2)).orElseThrow();
        assertEquals(entry(2000, 2).payload(), read.payload());
        assertEquals(entry(2000, 2), read);
    }

    @Test
    void truncatedFlippedAndForeignFilesAreDroppedNotServed() throws IOException {
        DiskTier tier = new DiskTier("t", dir, 1 << 20, Runnable::run);
        tier.put(key(1), entry(5000, 1));
        tier.put(key(2), entry(5000, 2));
        tier.put(key(3), entry(5000, 3));
        try (RandomAccessFile f = new RandomAccessFile(file(key(1)).toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        try (RandomAccessFile f = new RandomAccessFile(file(key(2)).toFile(), "rw")) {
            f.seek(f.length() - 10);
            int b = f.read();
            f.seek(f.length() - 10);
            f.write(b ^ 0xff);
        }
        assertTrue(tier.get(key(1)).isEmpty(), "truncated");
        assertTrue(tier.get(key(2)).isEmpty(), "flipped");
        assertTrue(tier.get(key(3)).isPresent());
        assertFalse(Files.exists(file(key(1))));
        assertFalse(Files.exists(file(key(2))));
        assertEquals(2, tier.corrupt());
        assertEquals(1, tier.entries());
        Path foreign = Files.createDirectories(dir.resolve("ab/cd")).resolve("ab" + "0".repeat(62));
        Files.writeString(foreign, "not a cache entry");
        Files.writeString(dir.resolve("ab/cd/.tmp-123"), "half a write");
        Files.copy(file(key(3)), dir.resolve("ab/cd/" + key(9).hex()));
        DiskTier reopened = new DiskTier("t", dir, 1 << 20, Runnable::run);
        assertEquals(1, reopened.entries(), "only the intact entry under its own name survives");
        assertFalse(Files.exists(foreign));
        assertFalse(Files.exists(dir.resolve("ab/cd/.tmp-123")));
        assertTrue(reopened.get(key(9)).isEmpty());
    }

    @Test
    void evictsLeastRecentlyUsedToStayWithinBudget() throws Exception {
        long budget = 50_000;
        DiskTier tier = new DiskTier("t", dir, budget, Runnable::run);
        tier.put(key(0), entry(4000, 0));
        for (int i = 1; i < 40; i++) {
            tier.get(key(0)); // keep key 0 recently used
            tier.put(key(i), entry(4000, i));
        }
        assertTrue(tier.bytes() <= budget, "bytes " + tier.bytes());
        assertTrue(tier.get(key(0)).isPresent(), "the recently used entry survives");
        assertTrue(tier.get(key(1)).isEmpty(), "the oldest is gone");
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(tier.entries(), files.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void anUnwritableDirectoryIsCountedNotThrown() throws IOException {
        DiskTier tier = new DiskTier("t", dir, 1 << 20, Runnable::run);
        CacheKey key = new CacheKey("ffee" + "0".repeat(60)); // a shard of its own
        Files.createDirectories(dir.resolve(key.hex().substring(0, 2)));
        Files.writeString(dir.resolve(key.hex().substring(0, 2)).resolve(key.hex().substring(2, 4)), "a file, not a dir");
        tier.put(key, entry(100, 1));
        assertEquals(1, tier.errors());
        assertTrue(tier.get(key).isEmpty());
        tier.put(key(1), entry(100, 1));
        assertTrue(tier.get(key(1)).isPresent(), "other entries still work");
    }

    static byte[] payload(SharedFile file) throws IOException {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(file.length());
        while (bytes.hasRemaining()) {
            file.channel().read(bytes, file.offset() + bytes.position());
        }
        return bytes.array();
    }

    static byte[] bytes(CachedImage entry) {
        byte[] b = new byte[entry.size()];
        entry.payload().duplicate().get(b);
        return b;
    }

    @Test
    void bigEntriesAreKeptOpenVerifiedAndLetGoOnRemoval() throws Exception {
        DiskTier tier = new DiskTier("t", dir, 8 << 20, Runnable::run, 16);
        CachedImage small = entry(DiskTier.OPEN_MIN_BYTES - 1, 1);
        CachedImage big = entry(DiskTier.OPEN_MIN_BYTES, 2);
        tier.put(key(1), small);
        tier.put(key(2), big);
        assertTrue(tier.openFile(key(1)).isEmpty(), "small entries are sent from memory");
        SharedFile file = tier.openFile(key(2)).orElseThrow(() -> new AssertionError("kept open when written"));
        assertEquals(big.etag(), file.etag());
        assertTrue(java.util.Arrays.equals(bytes(big), payload(file)), "the payload, after the header");

        tier.remove(key(2));
        assertTrue(tier.openFile(key(2)).isEmpty(), "not handed out once removed");
        assertTrue(file.channel().isOpen(), "a sender holding it finishes its send");
        file.release();
        assertFalse(file.channel().isOpen(), "closed with the last reference");
    }

    @Test
    void afterARestartAnEntryIsKeptOpenOnceReadWholeAndCheckedNeverWhenDamaged() throws Exception {
        DiskTier writer = new DiskTier("t", dir, 8 << 20, Runnable::run);
        writer.put(key(1), entry(100_000, 1));
        writer.put(key(2), entry(100_000, 2));
        try (RandomAccessFile f = new RandomAccessFile(file(key(2)).toFile(), "rw")) {
            f.seek(f.length() - 10);
            int b = f.read();
            f.seek(f.length() - 10);
            f.write(b ^ 0xff);
        }
        DiskTier tier = new DiskTier("t", dir, 8 << 20, Runnable::run, 16);
        assertTrue(tier.openFile(key(1)).isEmpty(), "not open after a restart until read");
        assertTrue(tier.get(key(1)).isPresent());
        SharedFile file = tier.openFile(key(1)).orElseThrow(() -> new AssertionError("kept open once read and checked"));
        assertTrue(java.util.Arrays.equals(bytes(entry(100_000, 1)), payload(file)));
        file.release();

        assertTrue(tier.get(key(2)).isEmpty(), "a damaged entry is not served");
        assertTrue(tier.openFile(key(2)).isEmpty(), "nor kept open");
        assertFalse(Files.exists(file(key(2))), "but dropped");
        assertEquals(1, tier.corrupt());
    }

    /**
     * An open entry changed by another hand was sent as it was, under its old ETag and length, on
     * cleartext HTTP/1.1 (issue 14): a truncation is caught on the next use, a write in place on
     * the next check of its modification time (the tier's clock, moved here by hand).
     */
    @Test
    void anOpenEntryChangedOnDiskIsNeverHandedOutAgain() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        DiskTier tier = new DiskTier("t", dir, 8 << 20, Runnable::run, 16, clock::get);
        tier.put(key(1), entry(100_000, 1));
        tier.put(key(2), entry(100_000, 2));
        tier.openFile(key(1)).orElseThrow().release();
        tier.openFile(key(2)).orElseThrow().release();

        try (RandomAccessFile f = new RandomAccessFile(file(key(1)).toFile(), "rw")) {
            f.setLength(f.length() - 5000);
        }
        assertTrue(tier.openFile(key(1)).isEmpty(), "a truncated file is caught at once");
        assertFalse(Files.exists(file(key(1))), "and its entry dropped");

        // the write below may land within the filesystem's timestamp tick of the entry's own
        // write; moved back a minute, its modification time differs as it would a moment later
        Files.setLastModifiedTime(file(key(2)), java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(file(key(2))).toMillis() - 60_000));
        try (RandomAccessFile f = new RandomAccessFile(file(key(2)).toFile(), "rw")) {
            f.seek(f.length() - 10);
            f.write(0x55);
        }
        clock.addAndGet(SharedFile.RECHECK_NANOS);
        assertTrue(tier.openFile(key(2)).isEmpty(), "a write in place is caught at the next check");
        assertFalse(Files.exists(file(key(2))));
        assertEquals(2, tier.corrupt());
        assertTrue(tier.get(key(2)).isEmpty());
    }

    /**
     * A disk that fills up once had the tier fail and write the same entries again forever
     * (issue 14): the budget comes down to what the disk holds and eviction makes room, so writes
     * succeed again, and a failed write leaves no temporary file behind.
     */
    @Test
    void aFullDiskLowersTheBudgetAndEvictionMakesRoom() throws Exception {
        fillsAndRecovers(new DiskTier("t", dir, 100 << 20, Runnable::run, 0, System::nanoTime,
                new FailingDisk(dir, 1 << 20)), dir);
        try (Stream<Path> files = Files.walk(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(EntryFiles.TEMP_PREFIX)),
                    "failed writes are cleaned up");
        }
    }

    /** A disk that fails reads (EIO) costs misses and a count, not the entries: they are served once it reads again. */
    @Test
    void readErrorsAreCountedMissesThatKeepTheEntry() throws Exception {
        FailingDisk disk = new FailingDisk(dir, 100 << 20);
        DiskTier tier = new DiskTier("t", dir, 1 << 20, Runnable::run, 0, System::nanoTime, disk);
        tier.put(key(1), entry(5000, 1));
        disk.failReads = true;
        assertTrue(tier.get(key(1)).isEmpty());
        assertTrue(tier.get(key(1)).isEmpty());
        assertEquals(2, tier.errors());
        assertEquals(0, tier.corrupt(), "a read error says nothing about the entry");
        disk.failReads = false;
        assertEquals(entry(5000, 1), tier.get(key(1)).orElseThrow());
    }

    private static void fillsAndRecovers(DiskTier tier, Path dir) {
        for (int i = 0; i < 12; i++) {
            tier.put(key(i), entry(150_000, i));
        }
        assertTrue(tier.errors() >= 1, "the disk in " + dir + " filled up");
        assertTrue(tier.budget() < 1 << 20, "the budget is what the disk holds now: " + tier.budget());
        assertTrue(tier.bytes() <= tier.budget(), tier.bytes() + " held, " + tier.budget() + " allowed");
        long failures = tier.errors();
        for (int i = 12; i < 24; i++) {
            tier.put(key(i), entry(150_000, i));
        }
        assertTrue(tier.get(key(23)).isPresent(), "the newest entry fits: older ones made room");
        assertTrue(tier.errors() - failures <= 2, "writes succeed again, they do not fail forever: "
                + (tier.errors() - failures) + " more failures");
    }

    /**
     * The same on a real full filesystem (a 1 MiB tmpfs, mounted for the test: it needs root, as
     * scripts/test has), where the kernel's own ENOSPC message must be recognised.
     */
    @Test
    void aFullFilesystemLowersTheBudgetAndEvictionMakesRoom() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("small"));
        Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String said = new String(mounting.getInputStream().readAllBytes());
        org.junit.jupiter.api.Assumptions.assumeTrue(mounting.waitFor() == 0, "cannot mount a tmpfs here (not root?): " + said);
        try {
            fillsAndRecovers(new DiskTier("t", mount, 100 << 20, Runnable::run), mount);
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }
}
