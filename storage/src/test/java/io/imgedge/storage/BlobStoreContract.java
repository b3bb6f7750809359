package io.imgedge.storage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

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
