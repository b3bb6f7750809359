package io.imgedge.proxy.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a disk tier's entries live: {@code dir/ab/cd/abcd…} by key, each written to a temporary
 * file beside its place and moved there whole, so a crash leaves a temporary file, never half an
 * entry under a key.
 */
final class EntryFiles {
    static final String TEMP_PREFIX = ".tmp-";

    /**
     * How a tier opens its entry files: {@link FileChannel#open} on the real file system, a disk
     * that fills up or fails on cue in tests.
     */
    @FunctionalInterface
    interface Opener {
        Opener SYSTEM = FileChannel::open;

        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    /** An intact entry found on disk. */
    record Found(String key, long size, String sourceKey, long modifiedMillis) {
    }

    private EntryFiles() {
    }

    static Path path(Path dir, String hex) {
        return dir.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
    }

    /** Puts a written entry in its place, atomically where the file system can. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Hands every intact entry under {@code dir} (a header that parses, names the file's key and
     * its size) to {@code found}, and deletes everything else: temporary files of a crash,
     * truncated or foreign files.
     *
     * @return how many files were deleted
     */
    static int scan(Path dir, Consumer<Found> found) throws IOException {
        List<Path> bad = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String fileName = file.getFileName().toString();
                if (fileName.startsWith(TEMP_PREFIX) || !attrs.isRegularFile()) {
                    bad.add(file);
                    return FileVisitResult.CONTINUE;
                }
                byte[] head;
                try (InputStream in = Files.newInputStream(file)) {
                    head = in.readNBytes(EntryFormat.MAX_HEADER);
                }
                EntryFormat.Header header = EntryFormat.parse(head);
                if (header == null || !header.key().equals(fileName) || attrs.size() != header.fileSize()) {
                    bad.add(file);
                } else {
                    found.accept(new Found(fileName, attrs.size(), header.sourceKey(), attrs.lastModifiedTime().toMillis()));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        for (Path file : bad) {
            Files.deleteIfExists(file);
        }
        return bad.size();
    }
}
