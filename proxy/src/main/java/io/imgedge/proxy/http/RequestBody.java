package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A request's body as a route gets it: in memory, or spooled to a file as it arrived. The memory
 * it holds counts against the {@link BodyBudget} until {@link #close()}, which the handler calls
 * once the response is written or the connection is gone (a spooled body's file goes then too).
 * Thread-safe.
 */
public sealed interface RequestBody extends AutoCloseable {
    /** No body: routes that take none get this. */
    RequestBody EMPTY = new InMemory(new byte[0], null, "");

    long size();

    /**
     * The whole body in memory. A spooled body is read from its file, its size reserved from the
     * budget first: blocking, so call it off the event loop.
     *
     * @throws HttpError 503 or 429 when the budget has no room, 503 when the file cannot be read
     */
    byte[] bytes();

    /** The body as a stream (a spooled one from its file, without reading it into memory). */
    InputStream stream() throws IOException;

    @Override
    void close();

    /** A body collected in memory; its bytes were reserved as they came. */
    final class InMemory implements RequestBody {
        private final byte[] bytes;
        private final BodyBudget budget;
        private final String client;
        private boolean closed;

        InMemory(byte[] bytes, BodyBudget budget, String client) {
            this.bytes = bytes;
            this.budget = budget;
            this.client = client;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public byte[] bytes() {
            return bytes;
        }

        @Override
        public InputStream stream() {
            return new ByteArrayInputStream(bytes);
        }

        @Override
        public synchronized void close() {
            if (!closed && budget != null) {
                budget.release(client, bytes.length);
            }
            closed = true;
        }
    }

    /** A body written to a file as it arrived; it holds memory only while {@link #bytes()} has it read. */
    final class Spooled implements RequestBody {
        private static final Logger LOG = LoggerFactory.getLogger(Spooled.class);
        private final Path file;
        private final long size;
        private final BodyBudget budget;
        private final String client;
        private long reserved;
        private boolean closed;

        Spooled(Path file, long size, BodyBudget budget, String client) {
            this.file = file;
            this.size = size;
            this.budget = budget;
            this.client = client;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public byte[] bytes() {
            synchronized (this) {
                if (closed) {
                    throw HttpError.unavailable("the request is over");
                }
                if (reserved == 0) {
                    budget.reserve(client, size);
                    reserved = size;
                }
            }
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw HttpError.unavailable("the request body cannot be read back", e);
            }
        }

        @Override
        public InputStream stream() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            budget.release(client, reserved);
            reserved = 0;
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("cannot remove the spooled body {}: {}", file, e.toString());
            }
        }
    }
}
