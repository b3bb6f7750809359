package io.imgedge.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

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
