package io.imgedge.proxy.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Real files under a directory, on a disk of {@code capacity} bytes: a write that would take
 * more than is left fails as Linux fails it (ENOSPC), and reads fail with EIO while
 * {@link #failReads} is set. What a tier is given instead of {@link FileChannel#open}.
 */
final class FailingDisk implements EntryFiles.Opener {
    private final Path dir;
    private final long capacity;
    volatile boolean failReads;

    FailingDisk(Path dir, long capacity) {
        this.dir = dir;
        this.capacity = capacity;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        boolean writes = Arrays.asList(options).contains(StandardOpenOption.WRITE);
        if (!writes && failReads) {
            throw new IOException(path + ": Input/output error");
        }
        return new Limited(FileChannel.open(path, options));
    }

    /** Bytes in every file under the directory. */
    private long used() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private void take(long bytes) throws IOException {
        if (used() + bytes > capacity) {
            throw new IOException("No space left on device");
        }
    }

    /** A channel whose writes take room on the disk first. */
    private final class Limited extends FileChannel {
        private final FileChannel file;

        Limited(FileChannel file) {
            this.file = file;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            take(Arrays.stream(srcs, offset, offset + length).mapToLong(ByteBuffer::remaining).sum());
            return file.write(srcs, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            take(src.remaining());
            return file.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            take(src.remaining());
            return file.write(src, position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return file.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            file.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            take(count);
            return file.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return file.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
