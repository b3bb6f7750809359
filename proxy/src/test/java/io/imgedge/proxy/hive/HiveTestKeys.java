package io.imgedge.proxy.hive;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Private keys and signatures as Hive clients make them (dhive's PrivateKey.fromSeed and sign:
 * RFC 6979 nonces, low s, the header byte 31 + recovery id), for signing test uploads.
 */
public final class HiveTestKeys {
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(HiveSignature.CURVE.getCurve(),
            HiveSignature.CURVE.getG(), HiveSignature.CURVE.getN(), HiveSignature.CURVE.getH());

    private HiveTestKeys() {
    }

    /** dhive's {@code PrivateKey.fromSeed(seed)}: the SHA-256 of the seed. */
    public static BigInteger fromSeed(String seed) {
        return new BigInteger(1, sha256(seed.getBytes(StandardCharsets.UTF_8)));
    }

    /** A WIF private key ({@code 5...}): 0x80, the key, and four bytes of its double SHA-256. */
    public static BigInteger fromWif(String wif) {
        byte[] bytes = Base58.decode(wif);
        byte[] payload = Arrays.copyOf(bytes, bytes.length - 4);
        byte[] check = Arrays.copyOf(sha256(sha256(payload)), 4);
        if (payload[0] != (byte) 0x80 || !Arrays.equals(check, Arrays.copyOfRange(bytes, bytes.length - 4, bytes.length))) {
            throw new IllegalArgumentException("not a WIF key");
        }
        return new BigInteger(1, Arrays.copyOfRange(payload, 1, payload.length));
    }

    public static String publicKey(BigInteger key) {
        return HiveSignature.publicKey(HiveSignature.CURVE.getG().multiply(key).normalize(), "STM");
    }

    /** The hex signature of {@code digest} by {@code key}, as dhive's {@code sign(...).toString()}. */
    public static String sign(BigInteger key, byte[] digest) {
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(key, DOMAIN));
        BigInteger[] rs = signer.generateSignature(digest);
        BigInteger s = rs[1].compareTo(DOMAIN.getN().shiftRight(1)) > 0 ? DOMAIN.getN().subtract(rs[1]) : rs[1];
        String expected = publicKey(key);
        for (int recovery = 0; recovery < 4; recovery++) {
            String hex = HexFormat.of().toHexDigits((byte) (31 + recovery)) + hex32(rs[0]) + hex32(s);
            if (HiveSignature.parse(hex).recover(digest, "STM").filter(expected::equals).isPresent()) {
                return hex;
            }
        }
        throw new IllegalStateException("no recovery id gives the key back");
    }

    private static String hex32(BigInteger value) {
        String hex = value.toString(16);
        return "0".repeat(64 - hex.length()) + hex;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
