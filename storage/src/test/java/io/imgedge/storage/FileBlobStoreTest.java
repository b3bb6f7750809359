package io.imgedge.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileBlobStoreTest extends BlobStoreContract {
    @TempDir
    static Path dir;

    @Override
    BlobStore store() {
        return new FileBlobStore(dir.resolve("store"));
    }

    @Test
    void symlinkOutOfRootReadsAsAbsent(@TempDir Path outside) throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.txt"), "secret");
        Path root = dir.resolve("links");
        FileBlobStore store = new FileBlobStore(root);
        Files.createSymbolicLink(root.resolve("escape.txt"), secret);
        Files.createSymbolicLink(root.resolve("dir"), outside);
        assertEquals(Optional.empty(), store.get("escape.txt", 100));
        assertEquals(Optional.empty(), store.get("dir/secret.txt", 100));
        assertEquals(Optional.empty(), store.stat("escape.txt"));
    }

    @Test
    void directoriesAndTempFilesAreNotObjects() throws Exception {
        FileBlobStore store = new FileBlobStore(dir.resolve("dirs"));
        store.put("a/b.bin", new byte[]{1}, "application/octet-stream");
        assertEquals(Optional.empty(), store.get("a", 100));
        try (var files = Files.list(dir.resolve("dirs/a"))) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void staleTemporariesAreRemovedAndNeverListed() throws Exception {
        Path root = dir.resolve("temps");
        FileBlobStore store = new FileBlobStore(root);
        store.put("k/kept.bin", new byte[]{1}, "application/octet-stream");
        Path crashed = Files.write(root.resolve("k/.tmp-123"), new byte[]{2, 3});
        try (var listed = store.list("")) {
            assertEquals(List.of("k/kept.bin"), listed.toList());
        }
        assertEquals(0, store.removeStaleTemporaries(Duration.ofHours(1)), "a young temporary may be a write in progress");
        Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        assertEquals(1, store.removeStaleTemporaries(Duration.ofHours(1)));
        assertFalse(Files.exists(crashed));
        assertTrue(Files.exists(root.resolve("k/kept.bin")));
    }

    @Test
    void checkFailsWhenTheDirectoryIsGone() throws Exception {
        Path root = dir.resolve("gone");
        FileBlobStore store = new FileBlobStore(root);
        Files.delete(root);
        assertThrows(StoreException.class, store::check);
    }
}
