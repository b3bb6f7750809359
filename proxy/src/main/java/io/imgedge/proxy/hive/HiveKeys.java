package io.imgedge.proxy.hive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The imagehoster's object keys and what uploads sign. An upload's key is {@code D} and the
 * base58 multihash (sha2-256) of {@code sha256("ImageSigningChallenge" || bytes)}, 47 characters;
 * a proxied original's is {@code U} and the base58 multihash (sha1) of the SHA-1 of its URL. With
 * storage partitioning a key is kept under its last two characters: {@code LT/U5dt...LT}. Pure.
 */
public final class HiveKeys {
    /** What every upload signature's message starts with. */
    static final byte[] CHALLENGE = "ImageSigningChallenge".getBytes(StandardCharsets.US_ASCII);
    /** The length of an upload's key. */
    public static final int UPLOAD_KEY_LENGTH = 47;
    private static final byte SHA2_256 = 0x12;
    private static final byte SHA1 = 0x11;

    private HiveKeys() {
    }

    /** {@code sha256("ImageSigningChallenge" || bytes)}: what a {@code POST /{account}/{signature}} signs. */
    public static byte[] challenge(byte[] bytes) {
        MessageDigest sha256 = digest("SHA-256");
        sha256.update(CHALLENGE);
        return sha256.digest(bytes);
    }

    /** {@code sha256("ImageSigningChallenge" || sha256(bytes))}: what a {@code POST /cs/...} signs. */
    public static byte[] checksumChallenge(byte[] bytes) {
        MessageDigest sha256 = digest("SHA-256");
        sha256.update(CHALLENGE);
        return sha256.digest(digest("SHA-256").digest(bytes));
    }

    /** The key an upload of {@code bytes} is stored under (unpartitioned). */
    public static String upload(byte[] bytes) {
        return "D" + Base58.encode(multihash(SHA2_256, challenge(bytes)));
    }

    /** The key the original fetched from {@code url} (as the imagehoster spells URLs) is stored under. */
    public static String proxied(String url) {
        return "U" + Base58.encode(multihash(SHA1, digest("SHA-1").digest(url.getBytes(StandardCharsets.UTF_8))));
    }

    /** Whether {@code text} has the shape of an upload's key: {@code D} and 46 base58 characters. */
    public static boolean isUploadKey(String text) {
        return text.length() == UPLOAD_KEY_LENGTH && text.charAt(0) == 'D' && Base58.isBase58(text);
    }

    /** Where {@code key} lies in the store: under its last two characters when partitioned. */
    public static String objectName(String key, boolean partitioned) {
        return partitioned ? key.substring(key.length() - 2) + "/" + key : key;
    }

    private static byte[] multihash(byte code, byte[] digest) {
        byte[] out = new byte[digest.length + 2];
        out[0] = code;
        out[1] = (byte) digest.length;
        System.arraycopy(digest, 0, out, 2, digest.length);
        return out;
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has " + algorithm, e);
        }
    }
}
