package io.imgedge.proxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The disk tier's verified entry files kept open for sending from the file (sendfile), up to a
 * count: each handed out only while it still is what was verified ({@link SharedFile#intact}).
 * The pool holds one reference per file and gives it back when the file leaves. Thread-safe.
 */
final class OpenFiles {
    /** By entry key, or null when no file is kept open. */
    private final Cache<String, SharedFile> open;
    private final LongSupplier ticker;

    /** @param max how many files may be open; 0 = none */
    OpenFiles(int max, LongSupplier ticker) {
        this.ticker = ticker;
        // the pool gives its reference back at once, on the removing thread
        this.open = max <= 0 ? null : Caffeine.newBuilder().maximumSize(max).executor(Runnable::run)
                .removalListener((String _, SharedFile file, RemovalCause _) -> {
                    if (file != null) {
                        file.release();
                    }
                }).build();
    }

    /** Keeps {@code file} open for entry {@code hex} (payload at {@code offset}); true if kept (the pool owns it then). */
    boolean keep(String hex, FileChannel file, long offset, int length, String etag, Path path) {
        if (open == null) {
            return false;
        }
        try {
            open.put(hex, new SharedFile(file, offset, length, etag, path, ticker.getAsLong()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The open file of {@code hex}, retained for the caller, while it is intact; one that changed
     * under us (truncated, written, replaced) is never handed out again and {@code changed} runs.
     */
    Optional<SharedFile> get(String hex, Runnable changed) {
        SharedFile file = open == null ? null : open.getIfPresent(hex);
        if (file == null || !file.retain()) {
            return Optional.empty();
        }
        if (!file.intact(ticker.getAsLong())) {
            file.release();
            forget(hex);
            changed.run();
            return Optional.empty();
        }
        return Optional.of(file);
    }

    /** Stops handing out the file of {@code hex}: senders holding it finish with the bytes they have. */
    void forget(String hex) {
        if (open != null) {
            open.invalidate(hex);
        }
    }

    /** Lets go of every file (senders holding one finish first). */
    void close() {
        if (open != null) {
            open.invalidateAll();
        }
    }
}
