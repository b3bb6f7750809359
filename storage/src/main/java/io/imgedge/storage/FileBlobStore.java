package io.imgedge.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory. A put writes a temporary file beside the target and
 * renames it into place, so no partial file is ever visible under a key. Symbolic links that lead
 * out of the root are not followed: such a key reads as absent.
 */
public final class FileBlobStore implements BlobStore {
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path root;
    private final Path realRoot;

    /** Uses (and creates if needed) {@code root}. */
    public FileBlobStore(Path root) {
        try {
            Files.createDirectories(root);
            this.root = root.toAbsolutePath().normalize();
            this.realRoot = this.root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use store directory " + root, e);
        }
    }

    @Override
    public Optional<Blob> get(String key, long maxBytes) {
        Optional<Path> file = existing(key);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(file.get(), BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                return Optional.empty();
            }
            if (attrs.size() > maxBytes) {
                throw new BlobTooLargeException(key, maxBytes);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file.get())) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            }
            if (bytes.length > maxBytes) {
                throw new BlobTooLargeException(key, maxBytes);
            }
            return Optional.of(new Blob(bytes, info(attrs)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read " + key + " from " + name(), e);
        }
    }

    @Override
    public Optional<Blob> get(String key, long offset, int length) {
        checkRange(offset, length);
        Optional<Path> file = existing(key);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file.get(), StandardOpenOption.READ)) {
            BasicFileAttributes attrs = Files.readAttributes(file.get(), BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                return Optional.empty();
            }
            ByteBuffer part = ByteBuffer.allocate((int) Math.max(0, Math.min(length, attrs.size() - offset)));
            while (part.hasRemaining() && channel.read(part, offset + part.position()) >= 0) {
                // read until the part is full or the file ends
            }
            return Optional.of(new Blob(Arrays.copyOf(part.array(), part.position()), info(attrs)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read " + key + " from " + name(), e);
        }
    }

    static void checkRange(long offset, int length) {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("range needs offset >= 0 and length > 0, got " + offset + ", " + length);
        }
    }

    @Override
    public Optional<BlobInfo> stat(String key) {
        Optional<Path> file = existing(key);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(file.get(), BasicFileAttributes.class);
            return attrs.isRegularFile() ? Optional.of(info(attrs)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot stat " + key + " in " + name(), e);
        }
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) {
        Path target = resolve(key);
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), TEMP_PREFIX, "");
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StoreException("cannot write " + key + " to " + name(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the rename succeeded or the write failed; a stray temp file is not visible as a key
                }
            }
        }
    }

    @Override
    public boolean delete(String key) {
        try {
            return Files.deleteIfExists(resolve(key));
        } catch (IOException e) {
            throw new StoreException("cannot delete " + key + " from " + name(), e);
        }
    }

    @Override
    public Stream<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(TEMP_PREFIX))
                    .map(f -> root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"))
                    .filter(key -> key.startsWith(prefix))
                    .forEach(keys::add);
        } catch (IOException | UncheckedIOException e) {
            throw new StoreException("cannot list " + name(), e);
        }
        keys.sort(null);
        return keys.stream();
    }

    @Override
    public void check() {
        if (!Files.isDirectory(root) || !Files.isWritable(root)) {
            throw new StoreException("store directory " + root + " is missing or not writable", null);
        }
    }

    /**
     * Removes temporary files older than {@code age} that a crash left behind (they were never
     * visible as keys); returns how many.
     */
    public int removeStaleTemporaries(Duration age) {
        Instant before = Instant.now().minus(age);
        int removed = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().startsWith(TEMP_PREFIX)
                        && Files.getLastModifiedTime(file).toInstant().isBefore(before) && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new StoreException("cannot clean temporary files in " + name(), e);
        }
        return removed;
    }

    @Override
    public String name() {
        return "file:" + root;
    }

    private Path resolve(String key) {
        Path path = root.resolve(BlobKey.check(key)).normalize();
        if (!path.startsWith(root) || path.getFileName().toString().startsWith(TEMP_PREFIX)) {
            throw new IllegalArgumentException("key leaves the store");
        }
        return path;
    }

    /** The file for {@code key} when it exists and its real path stays under the root. */
    private Optional<Path> existing(String key) {
        Path path = resolve(key);
        try {
            Path real = path.toRealPath();
            return real.startsWith(realRoot) ? Optional.of(real) : Optional.empty();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            throw new StoreException("no permission to read " + key + " in " + name(), e);
        } catch (IOException e) {
            throw new StoreException("cannot resolve " + key + " in " + name(), e);
        }
    }

    private static BlobInfo info(BasicFileAttributes attrs) {
        long mtime = attrs.lastModifiedTime().toMillis();
        return new BlobInfo(attrs.size(), attrs.lastModifiedTime().toInstant(),
                Long.toHexString(mtime) + "-" + Long.toHexString(attrs.size()));
    }
}
