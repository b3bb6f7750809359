package io.imgedge.proxy.cache;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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
        assertEquals(OriginHeaders.NONE, read.origin());
    }

    @Test
    void theOriginsHeadersReadBack() {
        OriginHeaders origin = new OriginHeaders(1_445_412_480_000L, "max-age=1234, public", 1_800_000_000_000L);
        CachedImage entry = entry();
        CachedImage dated = new CachedImage(entry.payload(), entry.contentType(), entry.etag(), entry.createdAt(),
                entry.expiresAt(), entry.sourceKey(), origin);
        EntryFormat.Header read = EntryFormat.parse(EntryFormat.encode(KEY, dated));
        assertEquals(origin, read.origin());
        assertEquals(1000, read.payloadLength());
    }

    /** Entries written before origin headers were kept ("IMGEDGE1") still read after an upgrade, with none. */
    @Test
    void entriesOfTheFirstFormatStillRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(0x494d474544474531L);
            out.writeUTF(KEY);
            out.writeUTF("image/png");
            out.writeUTF("\"old\"");
            out.writeUTF("cd".repeat(32));
            out.writeLong(10);
            out.writeLong(20);
            out.writeInt(77);
            out.writeLong(99);
        }
        EntryFormat.Header read = EntryFormat.parse(bytes.toByteArray());
        assertEquals("\"old\"", read.etag());
        assertEquals(77, read.payloadLength());
        assertEquals(99, read.crc());
        assertEquals(OriginHeaders.NONE, read.origin());
        assertEquals(bytes.size(), read.length());
    }

    @Test
    void aCacheControlTooLongOrNotPlainIsNotKept() {
        assertEquals("max-age=60", new OriginHeaders(5000, "max-age=60", -1).kept().cacheControl());
        assertEquals("", new OriginHeaders(5000, "max-age=60, " + "x".repeat(600), -1).kept().cacheControl());
        assertEquals("", new OriginHeaders(5000, "max-age=60\u00e9", -1).kept().cacheControl());
        assertEquals(5000, new OriginHeaders(5000, "\u0001", -1).kept().lastModified());
        assertEquals(1_445_412_480_000L, OriginHeaders.parseDate("Wed, 21 Oct 2015 07:28:00 GMT"));
        assertEquals(1_445_412_480_000L, OriginHeaders.parseDate("Wednesday, 21-Oct-15 07:28:00 GMT"), "RFC 850");
        assertEquals(1_445_412_480_000L, OriginHeaders.parseDate("Wed Oct 21 07:28:00 2015"), "asctime");
        assertEquals(OriginHeaders.UNKNOWN, OriginHeaders.parseDate("yesterday"));
        assertEquals(OriginHeaders.UNKNOWN, OriginHeaders.parseDate(null));
        assertEquals(4000, OriginHeaders.modified(4999).lastModified(), "whole seconds, as HTTP dates are");
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
