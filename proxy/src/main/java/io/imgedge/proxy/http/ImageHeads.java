package io.imgedge.proxy.http;

import io.imgedge.proxy.image.ImageReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The encoded HTTP/1.1 heads of 200 image responses: a memory hit answered like the one before
 * it (same entry, {@code X-Cache} and instant lookup timing) sends the bytes encoded then instead
 * of encoding every header again. Each thread keeps its own table of recent heads, one slot per
 * ETag hash, so a lookup takes no lock, no shared write and no clock; a head is reused only when
 * everything it says matches the reply, so a colliding or changed entry is encoded anew. Heads
 * hold no payload: the table costs at most {@value #SLOTS} heads of a few hundred bytes per
 * thread. Thread-safe; meant for the event loops, each of which keeps a table.
 */
public final class ImageHeads {
    private static final int SLOTS = 2048;

    /** @param bytes read-only and direct, written without a copy; freed by the collector with the record */
    private record Encoded(String etag, String contentType, int length, Duration maxAge, String cacheStatus,
                           String serverTiming, boolean varyAccept, ByteBuffer bytes) {
        boolean fits(ImageReply image) {
            return same(etag, image.etag()) && same(cacheStatus, image.cacheStatus())
                    && same(serverTiming, image.serverTiming()) && varyAccept == image.varyAccept()
                    && length == image.body().remaining() && same(contentType, image.contentType())
                    && maxAge.equals(image.maxAge());
        }

        /** Equal strings; the usual case is the same instance (from the cache entry or a constant). */
        private static boolean same(String a, String b) {
            return a == b || a.equals(b);
        }
    }

    private final AsciiString nodeName;
    private final FastThreadLocal<Encoded[]> tables = new FastThreadLocal<>() {
        @Override
        protected Encoded[] initialValue() {
            return new Encoded[SLOTS];
        }
    };

    ImageHeads(AsciiString nodeName) {
        this.nodeName = nodeName;
    }

    /** The head for {@code image}: see {@link Responses#imageHead}. */
    ByteBuf head(ImageReply image) {
        Encoded[] table = tables.get();
        int slot = image.etag().hashCode() & (SLOTS - 1);
        Encoded known = table[slot];
        if (known == null || !known.fits(image)) {
            byte[] head = Responses.imageHead(image, nodeName);
            known = new Encoded(image.etag(), image.contentType(), image.body().remaining(), image.maxAge(),
                    image.cacheStatus(), image.serverTiming(), image.varyAccept(),
                    ByteBuffer.allocateDirect(head.length).put(head).flip().asReadOnlyBuffer());
            table[slot] = known;
        }
        return Unpooled.wrappedBuffer(known.bytes().duplicate());
    }
}
