package io.imgedge.proxy.cache;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class EntryFormatTest {
    static final String KEY = "ab".repeat(32);

    static CachedImage entry() {
        byte[] payload = new byte[1000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 13);
        }
        return new CachedImage(ByteBuffer.wrap(payload), "image/webp", "\"etag\"", 123, 456, "cd".repeat(32));
    }

    @Test
    void aHeaderReadsBackAsWritten() {
        CachedImage entry = entry();
        byte[] header = EntryFormat.encode(KEY, entry);
        EntryFormat.Header read = EntryFormat.parse(header);
        assertEquals(KEY, read.key());
        assertEquals("image/webp", read.contentType());
        assertEquals("\"etag\"", read.etag());
        assertEquals("cd".repeat(32), read.sourceKey());
        assertEquals(123, read.createdAt());
        assertEquals(456, read.expiresAt());
        assertEquals(1000, read.payloadLength());
        assertEquals(header.length, read.length());
        assertEquals(header.length + 1000L, read.fileSize());
        assertEquals(EntryFormat.checksum(entry.payload()), read.crc());
    }

    @Test
    void whatIsNotOneOfOursReadsAsNothing() {
        byte[] header = EntryFormat.encode(KEY, entry());
        byte[] foreign = header.clone();
        foreign[0] ^= 1;
        assertNull(EntryFormat.parse(foreign), "another magic");
        assertNull(EntryFormat.parse(Arrays.copyOf(header, 20)), "cut short");
        assertNull(EntryFormat.parse(new byte[0]));
        assertNull(EntryFormat.parse(EntryFormat.encode("short", entry())), "a key that is no result key");
    }

    @Test
    void theChecksumSeesAFlippedByte() {
        CachedImage entry = entry();
        byte[] flipped = new byte[1000];
        entry.payload().duplicate().get(flipped);
        flipped[500] ^= 0x10;
        assertNotEquals(EntryFormat.checksum(entry.payload()), EntryFormat.checksum(ByteBuffer.wrap(flipped)));
    }
}
