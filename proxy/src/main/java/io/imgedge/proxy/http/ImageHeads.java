package io.imgedge.proxy.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.imgedge.proxy.image.ImageReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;

import java.nio.ByteBuffer;

/**
 * The encoded HTTP/1.1 heads of 200 image responses, kept per cached payload: a memory hit
 * answered like the one before it (same {@code X-Cache}, the same instant lookup timing) sends
 * the bytes encoded then instead of encoding every header again. Payloads are held weakly, so a
 * head goes once its cache entry is evicted and collected; the total is bounded too. Thread-safe.
 */
public final class ImageHeads {
    /** Heads are a few hundred bytes: this holds tens of thousands of them. */
    private static final long MAX_BYTES = 16L << 20;

    /** @param bytes read-only and direct, written without a copy; freed by the collector with the record */
    private record Encoded(String cacheStatus, String serverTiming, boolean varyAccept, ByteBuffer bytes) {
        boolean fits(ImageReply image) {
            return varyAccept == image.varyAccept() && cacheStatus.equals(image.cacheStatus())
                    && serverTiming.equals(image.serverTiming());
        }
    }

    private final AsciiString nodeName;
    private final Cache<ByteBuffer, Encoded> byPayload = Caffeine.newBuilder().weakKeys().executor(Runnable::run)
            .maximumWeight(MAX_BYTES).weigher((ByteBuffer _, Encoded e) -> e.bytes().capacity() + 64).build();

    ImageHeads(AsciiString nodeName) {
        this.nodeName = nodeName;
    }

    /** The head for {@code image}: see {@link Responses#imageHead}. */
    ByteBuf head(ImageReply image) {
        Encoded known = byPayload.getIfPresent(image.body());
        if (known == null || !known.fits(image)) {
            byte[] head = Responses.imageHead(image, nodeName);
            known = new Encoded(image.cacheStatus(), image.serverTiming(), image.varyAccept(),
                    ByteBuffer.allocateDirect(head.length).put(head).flip().asReadOnlyBuffer());
            byPayload.put(image.body(), known);
        }
        return Unpooled.wrappedBuffer(known.bytes().duplicate());
    }
}
