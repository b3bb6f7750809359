package io.imgedge.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Content addresses: {@code {sha256[0:2]}/{sha256[2:4]}/{sha256}.{ext}}, so equal bytes get the
 * same key and the key proves the content. Pure.
 */
public final class ContentKey {
    private static final Pattern KEY = Pattern.compile("([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})\\.[a-z0-9]{1,8}");

    private ContentKey() {
    }

    /** The key of bytes whose SHA-256 is {@code sha256} (lower-case hex), stored with extension {@code ext}. */
    public static String of(String sha256, String ext) {
        return sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256 + "." + ext;
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** The SHA-256 a content key promises, or empty for keys that are not content addresses. */
    public static Optional<String> expectedSha256(String key) {
        Matcher m = KEY.matcher(key);
        if (!m.matches() || !m.group(3).startsWith(m.group(1) + m.group(2))) {
            return Optional.empty();
        }
        return Optional.of(m.group(3));
    }

    /** The media type an upload's key names by its extension ({@code application/octet-stream} for others). */
    public static String mediaType(String key) {
        String ext = key.substring(key.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
        return switch (ext) {
            case "jpg", "jpeg" -> "image/jpeg";
            case "png" -> "image/png";
            case "webp" -> "image/webp";
            case "gif" -> "image/gif";
            case "avif" -> "image/avif";
            case "heic" -> "image/heic";
            case "tif", "tiff" -> "image/tiff";
            case "bmp" -> "image/bmp";
            case "ico" -> "image/x-icon";
            default -> "application/octet-stream";
        };
    }

    /** Whether {@code key} is a well-formed content address. */
    public static boolean isContentKey(String key) {
        return expectedSha256(key).isPresent();
    }
}
