package io.imgedge.proxy.http;

import io.imgedge.proxy.image.ImageReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.ByteBuffer;

/**
 * The encoded HTTP/1.1 heads of 200 image responses, status line and {@code Date} included: a
 * memory hit answered like the one before it (same entry, {@code X-Cache} and instant lookup
 * timing) in the same second sends the bytes encoded then, in one write, instead of encoding
 * every header again; in a new second the head is copied with the new date. Each thread keeps
 * its own table of recent heads, one slot per ETag hash, so a lookup takes no lock and no shared
 * write; a head is reused only when everything it says matches the reply, so a colliding or
 * changed entry is encoded anew. Heads
 * hold no payload: the table costs at most {@value #SLOTS} heads of a few hundred bytes per
 * thread. Thread-safe; meant for the event loops, each of which keeps a table.
 */
public final class ImageHeads {
    private static final int SLOTS = 2048;

    /**
     * @param headers the header lines, as {@link Responses#imageHead} encodes them
     * @param second  the second of the date in {@code bytes}
     * @param bytes   status line, date and {@code headers}: read-only and direct, written without a
     *                copy; freed by the collector with the record
     */
    private record Encoded(String etag, String contentType, int length, String cacheControl, long lastModified,
                           String cacheStatus, String serverTiming, String vary, String disposition, byte[] headers,
                           long second, ByteBuffer bytes) {
        /** The same head, dated {@code date}. */
        Encoded dated(HttpDate.Stamp date) {
            return new Encoded(etag, contentType, length, cacheControl, lastModified, cacheStatus, serverTiming, vary,
                    disposition, headers, date.second(), join(date, headers));
        }

        boolean fits(ImageReply image) {
            return same(etag, image.etag()) && same(cacheStatus, image.cacheStatus())
                    && same(serverTiming, image.serverTiming()) && same(vary, image.vary())
                    && length == image.body().remaining() && same(contentType, image.contentType())
                    && same(cacheControl, image.cacheControl()) && lastModified == image.lastModified()
                    && same(disposition, image.disposition());
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

    /** The whole head for {@code image} (status line, date, then {@link Responses#imageHead}), now. */
    ByteBuf head(ImageReply image) {
        return head(image, HttpDate.current());
    }

    /** The whole head for {@code image}, dated {@code date}. */
    ByteBuf head(ImageReply image, HttpDate.Stamp date) {
        Encoded[] table = tables.get();
        int slot = image.etag().hashCode() & (SLOTS - 1);
        Encoded known = table[slot];
        if (known == null || !known.fits(image)) {
            byte[] headers = Responses.imageHead(image, nodeName);
            known = new Encoded(image.etag(), image.contentType(), image.body().remaining(), image.cacheControl(),
                    image.lastModified(), image.cacheStatus(), image.serverTiming(), image.vary(), image.disposition(),
                    headers, date.second(), join(date, headers));
            table[slot] = known;
        } else if (known.second() != date.second()) {
            known = known.dated(date); // a hot head is copied once a second, never changed in place: it may be in flight
            table[slot] = known;
        }
        return Unpooled.wrappedBuffer(known.bytes().duplicate());
    }

    private static ByteBuffer join(HttpDate.Stamp date, byte[] headers) {
        return ByteBuffer.allocateDirect(date.statusAndDate().length + headers.length)
                .put(date.statusAndDate()).put(headers).flip().asReadOnlyBuffer();
    }
}
