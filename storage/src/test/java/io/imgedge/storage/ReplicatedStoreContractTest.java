package io.imgedge.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A replicated store over two directories keeps the contract every store keeps. */
class ReplicatedStoreContractTest extends BlobStoreContract {
    @TempDir
    static Path dir;
    static final ExecutorService EXECUTOR = Executors.newVirtualThreadPerTaskExecutor();

    @AfterAll
    static void stop() {
        EXECUTOR.close();
    }

    @Override
    BlobStore store() {
        return new ReplicatedStore(List.of(new FileBlobStore(dir.resolve("a")), new FileBlobStore(dir.resolve("b"))), 2,
                EXECUTOR);
    }
}
