package io.imgedge.proxy.cache;

import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open disk-tier entry whose checksum has been verified, shared by the responses sending
 * its payload straight from the file (sendfile). Reference-counted: the {@link DiskTier} holds
 * one reference while it keeps the file open, each sender takes one with {@link #retain} and
 * gives it back with {@link #release}; the file is closed when the last goes. Entry files are
 * never changed in place (a new version is a new file renamed over the old), so the open file
 * keeps the verified bytes even after the entry is replaced or removed. Thread-safe.
 */
public final class SharedFile {
    private final FileChannel channel;
    private final long offset;
    private final int length;
    private final String etag;
    private final AtomicInteger refs = new AtomicInteger(1);

    SharedFile(FileChannel channel, long offset, int length, String etag) {
        this.channel = channel;
        this.offset = offset;
        this.length = length;
        this.etag = etag;
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
