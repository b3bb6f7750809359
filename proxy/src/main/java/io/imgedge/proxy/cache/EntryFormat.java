package io.imgedge.proxy.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How a disk-tier entry is laid out in its file: a header (magic, key, content type, ETag,
 * source key, times, payload length, the payload's CRC32C, then the origin's headers) then the
 * payload. Entries written before origin headers were kept ("IMGEDGE1") still read, with none.
 * Pure.
 */
final class EntryFormat {
    private static final long MAGIC_1 = 0x494d474544474531L; // "IMGEDGE1"
    private static final long MAGIC = 0x494d474544474532L; // "IMGEDGE2": with the origin's headers
    /** Headers are a few hundred bytes; a longer one is not ours. */
    static final int MAX_HEADER = 2048;

    /** A parsed header and how many bytes it took. */
    record Header(String key, String contentType, String etag, String sourceKey, long createdAt, long expiresAt,
                  int payloadLength, long crc, OriginHeaders origin, int length) {
        /** The whole file's size when it holds this entry whole. */
        long fileSize() {
            return length + (long) payloadLength;
        }
    }

    private EntryFormat() {
    }

    /** The header of {@code entry} under {@code key} (64 hex digits). */
    static byte[] encode(String key, CachedImage entry) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeLong(MAGIC);
            out.writeUTF(key);
            out.writeUTF(entry.contentType());
            out.writeUTF(entry.etag());
            out.writeUTF(entry.sourceKey());
            out.writeLong(entry.createdAt());
            out.writeLong(entry.expiresAt());
            out.writeInt(entry.size());
            out.writeLong(checksum(entry.payload()));
            out.writeLong(entry.origin().lastModified());
            out.writeUTF(entry.origin().cacheControl());
            out.writeLong(entry.origin().expires());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return buffer.toByteArray();
    }

    /** The header at the start of {@code data}, or null when it does not start with one of ours. */
    static Header parse(byte[] data) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(data, 0, Math.min(data.length, MAX_HEADER));
        try (DataInputStream in = new DataInputStream(bytes)) {
            long magic = in.readLong();
            if (magic != MAGIC && magic != MAGIC_1) {
                return null;
            }
            String key = in.readUTF();
            String contentType = in.readUTF();
            String etag = in.readUTF();
            String sourceKey = in.readUTF();
            long createdAt = in.readLong();
            long expiresAt = in.readLong();
            int payloadLength = in.readInt();
            long crc = in.readLong();
            OriginHeaders origin = magic == MAGIC_1 ? OriginHeaders.NONE
                    : new OriginHeaders(in.readLong(), in.readUTF(), in.readLong());
            int length = Math.min(data.length, MAX_HEADER) - bytes.available();
            return payloadLength < 0 || key.length() != 64 ? null
                    : new Header(key, contentType, etag, sourceKey, createdAt, expiresAt, payloadLength, crc, origin,
                    length);
        } catch (IOException e) {
            return null;
        }
    }

    /** The CRC32C of {@code payload}'s remaining bytes (not consumed). */
    static long checksum(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return crc.getValue();
    }
}
