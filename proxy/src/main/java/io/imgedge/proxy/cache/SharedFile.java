package io.imgedge.proxy.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open disk-tier entry whose checksum has been verified, shared by the responses sending
 * its payload straight from the file (sendfile). Reference-counted: the {@link DiskTier} holds
 * one reference while it keeps the file open, each sender takes one with {@link #retain} and
 * gives it back with {@link #release}; the file is closed when the last goes. imgedge never
 * changes an entry file in place (a new version is a new file renamed over the old), so the
 * open file keeps the verified bytes even after the entry is replaced or removed; what another
 * hand does to it is caught by {@link #intact}: its size on every use, its modification time and
 * identity at most once every {@link #RECHECK_NANOS}. Thread-safe.
 */
public final class SharedFile {
    private final FileChannel channel;
    private final long offset;
    private final int length;
    private final String etag;
    /** How often a file's modification time and identity are read again: a stat is a system call. */
    static final long RECHECK_NANOS = 1_000_000_000L;

    private final AtomicInteger refs = new AtomicInteger(1);
    private final Path path;
    private final FileTime modified;
    private final Object identity;
    private volatile long checkedAt;

    /**
     * @param path     where the file is, for re-reading its attributes
     * @param openedAt when (on the tier's clock) the file was known whole
     */
    SharedFile(FileChannel channel, long offset, int length, String etag, Path path, long openedAt) throws IOException {
        this.channel = channel;
        this.offset = offset;
        this.length = length;
        this.etag = etag;
        this.path = path;
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        this.modified = attributes.lastModifiedTime();
        this.identity = attributes.fileKey();
        this.checkedAt = openedAt;
    }

    /**
     * Whether the file still is what was verified: as long as the entry promises (checked every
     * time, so a response never promises a length the file lacks), and, once every
     * {@link #RECHECK_NANOS}, neither written nor replaced since. Non-blocking (a system call).
     */
    boolean intact(long now) {
        try {
            if (channel.size() != offset + length) {
                return false;
            }
            if (now - checkedAt < RECHECK_NANOS) {
                return true;
            }
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.lastModifiedTime().equals(modified) || !Objects.equals(attributes.fileKey(), identity)) {
                return false;
            }
            checkedAt = now;
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Takes a reference; false when the file is closed already (then it must not be used). */
    boolean retain() {
        for (int n = refs.get(); n > 0; n = refs.get()) {
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives a reference back; the last one closes the file. */
    public void release() {
        if (refs.decrementAndGet() == 0) {
            DiskTier.closeQuietly(channel);
        }
    }

    /** The open file: read it only at {@link #offset} for {@link #length} bytes, never close it. */
    public FileChannel channel() {
        return channel;
    }

    /** Where the payload starts in the file (after the entry's header). */
    public long offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** The entry's ETag: a sender checks it names the bytes it means to send. */
    public String etag() {
        return etag;
    }
}
