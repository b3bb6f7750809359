package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.OriginHeaders;
import io.imgedge.proxy.image.ImageReply;
import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageHeadsTest {
    static final ByteBuffer BODY = ByteBuffer.allocateDirect(1234).asReadOnlyBuffer();

    static ImageReply reply(String cache, String timing, boolean vary) {
        return new ImageReply(BODY, "image/webp", "\"tag\"", "public, max-age=3600", OriginHeaders.UNKNOWN, cache, timing, vary ? ImageReply.VARY_ACCEPT : "", 0,
                ImageReply.File.NONE, "");
    }

    static String text(ByteBuf head) {
        try {
            return head.toString(StandardCharsets.US_ASCII);
        } finally {
            head.release();
        }
    }

    @Test
    void aHeadIsEncodedOnceAndFollowsWhatItSays() {
        ImageHeads heads = new ImageHeads(AsciiString.cached("node-a"));
        String first = text(heads.head(reply("hit-memory", "cache;dur=0.0", false)));
        assertTrue(first.startsWith("HTTP/1.1 200 OK\r\ndate: ") && first.endsWith("\r\n\r\n"), first);
        assertTrue(first.contains("content-length: 1234\r\n") && first.contains("etag: \"tag\"\r\n")
                && first.contains("x-cache: hit-memory\r\n") && first.contains("x-served-by: node-a\r\n")
                && first.contains("cache-control: public, max-age=3600\r\n") && !first.contains("vary"), first);
        assertEquals(first, text(heads.head(reply("hit-memory", "cache;dur=0.0", false))), "the same head again");

        String vary = text(heads.head(reply("hit-memory", "cache;dur=0.0", true)));
        assertTrue(vary.contains("vary: accept\r\n"), vary);
        String slow = text(heads.head(reply("hit-disk", "cache;dur=1.5", false)));
        assertTrue(slow.contains("x-cache: hit-disk\r\n") && slow.contains("server-timing: cache;dur=1.5\r\n"), slow);
        assertTrue(slow.endsWith(new String(Responses.imageHead(reply("hit-disk", "cache;dur=1.5", false),
                AsciiString.cached("node-a")), StandardCharsets.US_ASCII)), "as Responses encodes it");
    }

    @Test
    void aHeadIsReusedOnlyWhenAllItSaysStillHolds() {
        ImageHeads heads = new ImageHeads(AsciiString.cached("node-a"));
        text(heads.head(reply("hit-memory", "cache;dur=0.0", false)));
        // the same ETag (a slot's key) with another body, type or max-age: never the old head
        ImageReply longer = new ImageReply(ByteBuffer.allocateDirect(99).asReadOnlyBuffer(), "image/png", "\"tag\"",
                "public, max-age=300", OriginHeaders.UNKNOWN, "hit-memory", "cache;dur=0.0", "", 0, ImageReply.File.NONE, "");
        String other = text(heads.head(longer));
        assertTrue(other.contains("content-length: 99\r\n") && other.contains("content-type: image/png\r\n")
                && other.contains("max-age=300\r\n"), other);
        // two nodes in one process keep their own heads
        String b = text(new ImageHeads(AsciiString.cached("node-b")).head(reply("hit-memory", "cache;dur=0.0", false)));
        assertTrue(b.contains("x-served-by: node-b\r\n"), b);
    }

    /** The fast path's head and the response {@link Responses#build} makes carry the same headers. */
    @Test
    void theEncodedHeadSaysWhatTheBuiltResponseSays() {
        ImageReply image = reply("hit-disk", "cache;dur=1.5", true);
        String encoded = text(new ImageHeads(AsciiString.cached("node-a")).head(image));
        java.util.Map<String, String> fast = new java.util.TreeMap<>();
        for (String line : encoded.substring(encoded.indexOf("\r\n") + 2).split("\r\n")) {
            if (!line.isEmpty()) {
                fast.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 2));
            }
        }
        String status = encoded.substring(0, encoded.indexOf("\r\n"));
        assertEquals("HTTP/1.1 200 OK", status);
        String date = fast.remove("date");
        var built = Responses.build(new Reply.Image(image), Preconditions.NONE, false);
        built.headers().set(Responses.SERVED_BY, "node-a");
        java.util.Map<String, String> general = new java.util.TreeMap<>();
        built.headers().forEach(h -> general.put(h.getKey(), h.getValue()));
        built.release();
        // the two dates are read a moment apart, and may be a second apart: both parse as dates
        assertTrue(io.netty.handler.codec.DateFormatter.parseHttpDate(general.remove("date")) != null);
        assertTrue(io.netty.handler.codec.DateFormatter.parseHttpDate(date) != null, date);
        assertEquals(general, fast);
    }

    /** A reused head carries the date of the second it is sent in; a head already handed out keeps its bytes. */
    @Test
    void aReusedHeadIsRedatedEachSecondWithoutTouchingOneInFlight() {
        ImageHeads heads = new ImageHeads(AsciiString.cached("node-a"));
        ImageReply image = reply("hit-memory", "cache;dur=0.0", false);
        ByteBuf inFlight = heads.head(image, HttpDate.of(1_800_000_000L));
        String before = inFlight.toString(StandardCharsets.US_ASCII);
        assertTrue(before.contains("date: Fri, 15 Jan 2027 08:00:00 GMT\r\n"), before);
        String next = text(heads.head(image, HttpDate.of(1_800_000_001L)));
        assertTrue(next.contains("date: Fri, 15 Jan 2027 08:00:01 GMT\r\n"), next);
        assertEquals(before.replace("08:00:00", "08:00:01"), next, "only the date changed");
        assertEquals(before, inFlight.toString(StandardCharsets.US_ASCII), "the head handed out earlier is unchanged");
        inFlight.release();
    }
}
