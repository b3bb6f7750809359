package io.imgedge.storage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every {@link BlobStore} must do; each implementation's test extends this. */
abstract class BlobStoreContract {
    abstract BlobStore store();

    static String freshKey() {
        String id = UUID.randomUUID().toString();
        return id.substring(0, 2) + "/" + id.substring(2, 4) + "/" + id + ".bin";
    }

    static byte[] bytes(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void putThenGetAndStat() {
        String key = freshKey();
        byte[] data = bytes(10_000, 1);
        store().put(key, data, "application/octet-stream");
        Blob blob = store().get(key, 1 << 20).orElseThrow();
        assertArrayEquals(data, blob.bytes());
        assertEquals(10_000, blob.info().size());
        BlobInfo info = store().stat(key).orElseThrow();
        assertEquals(10_000, info.size());
        assertTrue(!info.version().isEmpty());
    }

    @Test
    void missingIsEmpty() {
        assertEquals(Optional.empty(), store().get(freshKey(), 1000));
        assertEquals(Optional.empty(), store().stat(freshKey()));
    }

    @Test
    void overwriteReplacesAndChangesVersion() {
        String key = freshKey();
        store().put(key, "first".getBytes(StandardCharsets.UTF_8), "text/plain");
        String v1 = store().stat(key).orElseThrow().version();
        store().put(key, "second, longer".getBytes(StandardCharsets.UTF_8), "text/plain");
        assertEquals("second, longer", new String(store().get(key, 100).orElseThrow().bytes(), StandardCharsets.UTF_8));
        assertNotEquals(v1, store().stat(key).orElseThrow().version());
    }

    @Test
    void overLimitIsRefused() {
        String key = freshKey();
        store().put(key, bytes(5000, 2), "application/octet-stream");
        assertThrows(BlobTooLargeException.class, () -> store().get(key, 4999));
        assertEquals(5000, store().get(key, 5000).orElseThrow().bytes().length);
    }

    @Test
    void badKeysAreRefused() {
        for (String key : new String[]{"", "../etc/passwd", "a/../../b", "/abs", "a//b", "a/./b", "a\\b", "a\u0000b"}) {
            assertThrows(IllegalArgumentException.class, () -> store().get(key, 10), key);
            assertThrows(IllegalArgumentException.class, () -> store().put(key, new byte[1], "x/y"), key);
        }
    }

    @Test
    void rangeReadsGivePartsAndTheWholeSize() {
        String key = freshKey();
        byte[] data = bytes(1000, 6);
        store().put(key, data, "application/octet-stream");
        Blob middle = store().get(key, 100, 50).orElseThrow();
        assertArrayEquals(Arrays.copyOfRange(data, 100, 150), middle.bytes());
        assertEquals(1000, middle.info().size());
        assertArrayEquals(Arrays.copyOfRange(data, 990, 1000), store().get(key, 990, 50).orElseThrow().bytes());
        assertEquals(0, store().get(key, 1000, 10).orElseThrow().bytes().length);
        assertEquals(Optional.empty(), store().get(freshKey(), 0, 10));
        assertThrows(IllegalArgumentException.class, () -> store().get(key, -1, 10));
    }

    @Test
    void listGivesTheKeysUnderAPrefixInOrder() {
        String prefix = "list-" + UUID.randomUUID() + "/";
        List<String> keys = List.of(prefix + "b/2.bin", prefix + "a/1.bin", prefix + "a/0.bin", prefix + "c.bin");
        keys.forEach(k -> store().put(k, bytes(10, 7), "application/octet-stream"));
        store().put("other-" + UUID.randomUUID() + "/x.bin", bytes(10, 8), "application/octet-stream");
        try (Stream<String> listed = store().list(prefix)) {
            assertEquals(keys.stream().sorted().toList(), listed.toList());
        }
        try (Stream<String> listed = store().list(prefix + "a/")) {
            assertEquals(List.of(prefix + "a/0.bin", prefix + "a/1.bin"), listed.toList());
        }
    }

    @Test
    void checkPassesOnAWorkingStore() {
        store().check();
    }

    @Test
    void deleteRemoves() {
        String key = freshKey();
        store().put(key, bytes(10, 3), "application/octet-stream");
        store().delete(key);
        assertEquals(Optional.empty(), store().get(key, 100));
    }

    @Test
    void readersNeverSeeAPartialObject() throws Exception {
        String key = freshKey();
        byte[] a = bytes(512 * 1024, 4);
        byte[] b = bytes(256 * 1024, 5);
        store().put(key, a, "application/octet-stream");
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 20 && !stop.get(); i++) {
                store().put(key, i % 2 == 0 ? b : a, "application/octet-stream");
            }
        });
        int reads = 0;
        while (!writer.isDone() || reads < 5) {
            byte[] seen = store().get(key, 1 << 20).orElseThrow().bytes();
            assertTrue(Arrays.equals(seen, a) || Arrays.equals(seen, b), "read a partial object of " + seen.length + " bytes");
            reads++;
        }
        stop.set(true);
        writer.get();
    }
}
