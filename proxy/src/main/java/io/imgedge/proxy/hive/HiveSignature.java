package io.imgedge.proxy.hive;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Hive's recoverable secp256k1 signatures, as dhive reads them: 65 bytes in hex, a header byte
 * (31 plus the recovery id, for a compressed key) then r and s. The key that made one is
 * recovered from the signed digest (SEC 1 v2, 4.1.6, on BouncyCastle's curve arithmetic) and
 * written as Hive writes public keys: the chain's prefix, then base58 of the compressed point
 * and the first four bytes of its RIPEMD-160. Immutable.
 */
public final class HiveSignature {
    static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
    private static final int HEADER = 31;

    private final int recovery;
    private final BigInteger r;
    private final BigInteger s;

    private HiveSignature(int recovery, BigInteger r, BigInteger s) {
        this.recovery = recovery;
        this.r = r;
        this.s = s;
    }

    /** @throws IllegalArgumentException when {@code hex} is not such a signature */
    public static HiveSignature parse(String hex) {
        if (hex.length() != 130) {
            throw new IllegalArgumentException("a signature is 65 bytes in hex");
        }
        byte[] bytes = HexFormat.of().parseHex(hex);
        int recovery = (bytes[0] & 0xff) - HEADER;
        if (recovery < 0 || recovery > 3) {
            throw new IllegalArgumentException("the signature's header byte is not 31..34");
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(bytes, 1, 33));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(bytes, 33, 65));
        if (!inRange(r) || !inRange(s)) {
            throw new IllegalArgumentException("the signature's r or s is out of range");
        }
        return new HiveSignature(recovery, r, s);
    }

    /** The public key (with {@code prefix}) whose signature of {@code digest} this is; empty when no key's can be. */
    public Optional<String> recover(byte[] digest, String prefix) {
        BigInteger n = CURVE.getN();
        BigInteger x = r.add(BigInteger.valueOf(recovery / 2).multiply(n));
        if (x.compareTo(CURVE.getCurve().getField().getCharacteristic()) >= 0) {
            return Optional.empty();
        }
        ECPoint point;
        try {
            byte[] compressed = new byte[33];
            compressed[0] = (byte) ((recovery & 1) == 1 ? 0x03 : 0x02);
            byte[] xBytes = x.toByteArray();
            int len = Math.min(32, xBytes.length);
            System.arraycopy(xBytes, xBytes.length - len, compressed, 33 - len, len);
            point = CURVE.getCurve().decodePoint(compressed);
        } catch (IllegalArgumentException notOnCurve) {
            return Optional.empty();
        }
        if (!point.multiply(n).isInfinity()) {
            return Optional.empty();
        }
        BigInteger e = new BigInteger(1, digest);
        BigInteger rInverse = r.modInverse(n);
        BigInteger u1 = e.negate().mod(n).multiply(rInverse).mod(n);
        BigInteger u2 = s.multiply(rInverse).mod(n);
        ECPoint q = ECAlgorithms.sumOfTwoMultiplies(CURVE.getG(), u1, point, u2).normalize();
        return q.isInfinity() ? Optional.empty() : Optional.of(publicKey(q, prefix));
    }

    /** {@code q} as Hive writes a public key. */
    public static String publicKey(ECPoint q, String prefix) {
        byte[] compressed = q.getEncoded(true);
        RIPEMD160Digest ripemd = new RIPEMD160Digest();
        ripemd.update(compressed, 0, compressed.length);
        byte[] hash = new byte[ripemd.getDigestSize()];
        ripemd.doFinal(hash, 0);
        byte[] withChecksum = Arrays.copyOf(compressed, compressed.length + 4);
        System.arraycopy(hash, 0, withChecksum, compressed.length, 4);
        return prefix + Base58.encode(withChecksum);
    }

    private static boolean inRange(BigInteger value) {
        return value.signum() > 0 && value.compareTo(CURVE.getN()) < 0;
    }
}
