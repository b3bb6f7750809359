package io.imgedge.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
