package io.imgedge.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replication, quorum, failover and replica checks over real directories, one made unwritable to fail. */
class ReplicatedStoreTest {
    @TempDir
    Path dir;
    ExecutorService executor;
    FileBlobStore a;
    FileBlobStore b;

    @BeforeEach
    void setUp() {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        a = new FileBlobStore(dir.resolve("a"));
        b = new FileBlobStore(dir.resolve("b"));
    }

    @AfterEach
    void tearDown() {
        executor.close();
    }

    static byte[] content(int seed) {
        return BlobStoreContract.bytes(2000, seed);
    }

    static String keyOf(byte[] bytes) {
        return ContentKey.of(ContentKey.sha256(bytes), "bin");
    }

    /** Makes backend b fail: its directory becomes a plain file. */
    void breakB() throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("b"))) {
            files.sorted((x, y) -> y.compareTo(x)).forEach(p -> p.toFile().delete());
        }
        Files.writeString(dir.resolve("b"), "not a directory");
    }

    void repairB() throws Exception {
        Files.delete(dir.resolve("b"));
        Files.createDirectories(dir.resolve("b"));
    }

    @Test
    void writesReachEveryBackendAndReadsFailOver() {
        ReplicatedStore store = new ReplicatedStore(List.of(a, b), 2, executor);
        byte[] data = content(1);
        String key = keyOf(data);
        store.put(key, data, "application/octet-stream");
        assertArrayEquals(data, a.get(key, 10_000).orElseThrow().bytes());
        assertArrayEquals(data, b.get(key, 10_000).orElseThrow().bytes());
        a.delete(key);
        assertArrayEquals(data, store.get(key, 10_000).orElseThrow().bytes(), "read falls over to b");
        assertArrayEquals(new byte[]{data[5], data[6]}, store.get(key, 5, 2).orElseThrow().bytes());
        assertEquals(2000, store.stat(key).orElseThrow().size());
        assertEquals(Optional.empty(), store.get(keyOf(content(99)), 10_000));
        assertTrue(store.needsRepair().isEmpty());
    }

    @Test
    void belowQuorumTheWriteFailsAndLeavesNothing() throws Exception {
        breakB();
        byte[] data = content(2);
        String key = keyOf(data);
        ReplicatedStore strict = new ReplicatedStore(List.of(a, b), 2, executor);
        assertThrows(StoreException.class, () -> strict.put(key, data, "application/octet-stream"));
        assertEquals(Optional.empty(), a.stat(key), "rolled back on a");

        ReplicatedStore lenient = new ReplicatedStore(List.of(a, b), 1, executor);
        lenient.put(key, data, "application/octet-stream");
        assertTrue(a.stat(key).isPresent());
        assertEquals(List.of(key), List.copyOf(lenient.needsRepair()));
    }

    @Test
    void aFailedQuorumDoesNotRemoveAnObjectThatWasThereBefore() throws Exception {
        byte[] data = content(3);
        String key = keyOf(data);
        a.put(key, data, "application/octet-stream");
        breakB();
        ReplicatedStore strict = new ReplicatedStore(List.of(a, b), 2, executor);
        assertThrows(StoreException.class, () -> strict.put(key, data, "application/octet-stream"));
        assertTrue(a.stat(key).isPresent());
    }

    @Test
    void healthChecksMarkBackendsDownAndUpAgain() throws Exception {
        ReplicatedStore store = new ReplicatedStore(List.of(a, b), 1, executor);
        assertEquals(2, store.checkHealth());
        breakB();
        assertEquals(1, store.checkHealth());
        assertFalse(store.up(1));
        store.check();
        byte[] data = content(4);
        store.put(keyOf(data), data, "application/octet-stream");
        assertTrue(store.needsRepair().contains(keyOf(data)), "the backend that was down missed the write");
        repairB();
        assertEquals(2, store.checkHealth());
        assertTrue(store.up(1));
    }

    @Test
    void noBackendUpFailsTheCheck() throws Exception {
        breakB();
        assertThrows(StoreException.class, () -> new ReplicatedStore(List.of(b), 1, executor).check());
    }

    @Test
    void listMergesTheBackends() {
        a.put("k/1", new byte[]{1}, "x/y");
        a.put("k/3", new byte[]{1}, "x/y");
        b.put("k/2", new byte[]{1}, "x/y");
        b.put("k/3", new byte[]{1}, "x/y");
        ReplicatedStore store = new ReplicatedStore(List.of(a, b), 1, executor);
        try (Stream<String> keys = store.list("k/")) {
            assertEquals(List.of("k/1", "k/2", "k/3"), keys.toList());
        }
    }

    @Test
    void checkFindsMissingAndDamagedCopiesAndRepairsThem() {
        byte[] one = content(5);
        byte[] two = content(6);
        byte[] three = content(7);
        ReplicatedStore store = new ReplicatedStore(List.of(a, b), 2, executor);
        store.put(keyOf(one), one, "x/y");
        a.put(keyOf(two), two, "x/y");
        store.put(keyOf(three), three, "x/y");
        byte[] damaged = three.clone();
        damaged[100] ^= 1;
        b.put(keyOf(three), damaged, "x/y");
        byte[] lost = content(8);
        lost[0] ^= 1;
        b.put(keyOf(content(8)), lost, "x/y");

        List<ReplicaCheck.Problem> found = new ArrayList<>();
        ReplicaCheck.Summary summary = new ReplicaCheck(store, 1 << 20, Pacer.of(1L << 40)).run(false, found::add);
        assertEquals(4, summary.keys());
        assertEquals(2, summary.missing(), "one object missing on b, the lost one missing on a");
        assertEquals(2, summary.mismatched(), "the damaged copy and the copy with no good twin");
        assertEquals(1, summary.lost());
        assertEquals(3, summary.objects()[0]);
        assertEquals(3, summary.objects()[1]);
        assertTrue(found.contains(new ReplicaCheck.Problem(keyOf(two), b.name(), ReplicaCheck.Kind.MISSING, false)));
        assertTrue(found.contains(new ReplicaCheck.Problem(keyOf(three), b.name(), ReplicaCheck.Kind.MISMATCHED, false)));

        ReplicaCheck.Summary repair = new ReplicaCheck(store, 1 << 20, Pacer.of(1L << 40)).run(true, _ -> { });
        assertEquals(2, repair.repaired());
        assertArrayEquals(two, b.get(keyOf(two), 1 << 20).orElseThrow().bytes());
        assertArrayEquals(three, b.get(keyOf(three), 1 << 20).orElseThrow().bytes());

        ReplicaCheck.Summary after = new ReplicaCheck(store, 1 << 20, Pacer.of(1L << 40)).run(false, _ -> { });
        assertEquals(1, after.missing(), "only the object no backend has a good copy of");
        assertEquals(1, after.mismatched());
    }

    @Test
    void pacerWaitsForTheRate() {
        AtomicLong now = new AtomicLong(1_000);
        List<Long> waits = new ArrayList<>();
        Pacer pacer = new Pacer(1000, now::get, nanos -> {
            waits.add(nanos);
            now.addAndGet(nanos);
        });
        pacer.account(500);
        assertEquals(List.of(500_000_000L), waits);
        now.addAndGet(2_000_000_000L);
        pacer.account(1000);
        assertEquals(1, waits.size(), "time already passed covers the next bytes");
        pacer.account(1500);
        assertEquals(List.of(500_000_000L, 500_000_000L), waits, "3000 bytes are due 3 s after the start");
    }

    /** A backend that hangs (as a SIGSTOPped server does) until released: every call waits at the gate. */
    static final class Hanging implements BlobStore {
        final BlobStore inner;
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);

        Hanging(BlobStore inner) {
            this.inner = inner;
        }

        private void hang() {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted", e);
            }
        }

        @Override
        public Optional<Blob> get(String key, long maxBytes) {
            hang();
            return inner.get(key, maxBytes);
        }

        @Override
        public Optional<Blob> get(String key, long offset, int length) {
            hang();
            return inner.get(key, offset, length);
        }

        @Override
        public Optional<BlobInfo> stat(String key) {
            hang();
            return inner.stat(key);
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) {
            hang();
            inner.put(key, bytes, contentType);
        }

        @Override
        public boolean delete(String key) {
            hang();
            return inner.delete(key);
        }

        @Override
        public Stream<String> list(String prefix) {
            hang();
            return inner.list(prefix);
        }

        @Override
        public void check() {
            hang();
        }

        @Override
        public String name() {
            return "hanging " + inner.name();
        }
    }

    /** A hung replica once stalled reads and uploads for as long as it hung (issue 14). */
    @Test
    void aHungReplicaNeitherStallsReadsNorUploads() throws Exception {
        byte[] data = content(7);
        String key = keyOf(data);
        a.put(key, data, "application/octet-stream");
        b.put(key, data, "application/octet-stream");
        Hanging hung = new Hanging(a);
        ReplicatedStore store = new ReplicatedStore(List.of(hung, b), 1, executor, java.time.Duration.ofMillis(100));
        try {
            long started = System.nanoTime();
            assertArrayEquals(data, store.get(key, 10_000).orElseThrow().bytes(), "the next replica answers");
            assertEquals(2000, store.stat(key).orElseThrow().size());
            long took = (System.nanoTime() - started) / 1_000_000;
            assertTrue(took < 2_000, "two reads hedged past the hung replica in " + took + " ms");

            byte[] fresh = content(8);
            String freshKey = keyOf(fresh);
            store.put(freshKey, fresh, "application/octet-stream");
            assertArrayEquals(fresh, b.get(freshKey, 10_000).orElseThrow().bytes(), "the quorum (1) took it");
            assertTrue(store.needsRepair().contains(freshKey), "the hung replica still owes it");
            hung.gate.countDown();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!store.needsRepair().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(store.needsRepair().isEmpty(), "once the replica took it too, nothing is owed");
            assertArrayEquals(fresh, a.get(freshKey, 10_000).orElseThrow().bytes());
        } finally {
            hung.gate.countDown();
        }
    }

    @Test
    void aHungHealthCheckMarksTheReplicaDown() {
        Hanging hung = new Hanging(a);
        ReplicatedStore store = new ReplicatedStore(List.of(hung, b), 1, executor);
        try {
            assertEquals(1, store.checkHealth(), "the check gives up on the hung one");
            assertFalse(store.up(0));
            assertTrue(store.up(1));
        } finally {
            hung.gate.countDown();
        }
    }

    /** A damaged replica copy was served under the right hash and cached for good (issue 14). */
    @Test
    void aCopyThatDoesNotMatchItsAddressIsPassedOverAndReplaced() throws Exception {
        byte[] data = content(9);
        String key = keyOf(data);
        ReplicatedStore store = new ReplicatedStore(List.of(a, b), 2, executor);
        store.put(key, data, "application/octet-stream");
        byte[] damaged = data.clone();
        damaged[100] ^= 0x40;
        a.put(key, damaged, "application/octet-stream");
        assertArrayEquals(data, store.get(key, 10_000).orElseThrow().bytes(), "b's good copy, not a's");
        assertEquals(1, store.damagedReads());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!java.util.Arrays.equals(data, a.get(key, 10_000).orElseThrow().bytes()) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertArrayEquals(data, a.get(key, 10_000).orElseThrow().bytes(), "a's copy is replaced by the good one");
        b.put(key, damaged, "application/octet-stream");
        a.put(key, damaged, "application/octet-stream");
        assertThrows(StoreException.class, () -> store.get(key, 10_000), "no good copy anywhere: never the damaged bytes");
    }
}
