package io.imgedge.proxy.hive;

import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HiveSignatureTest {
    /** Hive's test-net "initminer" key pair, published with hived (its WIF and STM key are in many Hive tools' tests). */
    static final String INITMINER_WIF = "5JNHfZYKGaomSFvd4NUdQ9qMcEAC43kujbfjueTHpVapX1Kzq2n";
    static final String INITMINER_KEY = "STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4";
    /** Public keys of real accounts, from a recorded condenser_api.get_accounts answer (hiveio, ecency). */
    static final String[] REAL_KEYS = {"STM65PUAPA4yC4RgPtGgsPupxT6yJtMhmT5JHFdsT3uoCbR8WJ25s",
            "STM69zfrFGnZtU3gWFWpQJ6GhND1nz7TJsKBTjcWfebS1JzBEweQy", "STM6vJmrwaX5TjgTS9dPH8KsArso5m91fVodJvv91j7G765wqcNM9",
            "STM8AZuk2ja5vSFySFL2zpB9bNew8wJAg8r4QFtbnoamEX8Jvvq43"};

    @Test
    void aPublishedKeyPairAgrees() {
        assertEquals(INITMINER_KEY, HiveTestKeys.publicKey(HiveTestKeys.fromWif(INITMINER_WIF)));
    }

    @Test
    void realPublicKeysCarryTheChecksumWeWrite() {
        for (String key : REAL_KEYS) {
            byte[] bytes = Base58.decode(key.substring(3));
            assertEquals(37, bytes.length, key);
            RIPEMD160Digest ripemd = new RIPEMD160Digest();
            ripemd.update(bytes, 0, 33);
            byte[] hash = new byte[20];
            ripemd.doFinal(hash, 0);
            assertArrayEquals(Arrays.copyOf(hash, 4), Arrays.copyOfRange(bytes, 33, 37), key);
            // and the point is on the curve: it re-encodes to the same string
            assertEquals(key, HiveSignature.publicKey(HiveSignature.CURVE.getCurve().decodePoint(Arrays.copyOf(bytes, 33)), "STM"));
        }
    }

    @Test
    void theSignersKeyIsRecovered() {
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            BigInteger key = i == 0 ? HiveTestKeys.fromWif(INITMINER_WIF) : HiveTestKeys.fromSeed("seed-" + i);
            byte[] image = new byte[random.nextInt(2000) + 1];
            random.nextBytes(image);
            byte[] digest = HiveKeys.challenge(image);
            String signature = HiveTestKeys.sign(key, digest);
            assertEquals(Optional.of(HiveTestKeys.publicKey(key)), HiveSignature.parse(signature).recover(digest, "STM"));
            byte[] other = digest.clone();
            other[5] ^= 1;
            assertNotEquals(Optional.of(HiveTestKeys.publicKey(key)), HiveSignature.parse(signature).recover(other, "STM"),
                    "another message gives another key");
        }
    }

    @Test
    void whatIsNoSignatureIsRefused() {
        String good = HiveTestKeys.sign(HiveTestKeys.fromSeed("foo"), HiveKeys.challenge(new byte[]{1, 2, 3}));
        for (String bad : new String[]{"", "abc", good.substring(2), good + "00", "zz" + good.substring(2),
                "1b" + good.substring(2), "23" + good.substring(2), "1f" + "0".repeat(128),
                "1f" + "f".repeat(128)}) {
            assertThrows(IllegalArgumentException.class, () -> HiveSignature.parse(bad), bad);
        }
    }

    @Test
    void uploadAndProxyKeysHaveTheImagehostersShape() {
        Random random = new Random(11);
        for (int i = 0; i < 50; i++) {
            byte[] image = new byte[random.nextInt(500)];
            random.nextBytes(image);
            String key = HiveKeys.upload(image);
            assertEquals(47, key.length(), key);
            assertTrue(key.startsWith("DQm"), key); // a sha2-256 multihash in base58 starts Qm
            assertTrue(HiveKeys.isUploadKey(key));
            String proxied = HiveKeys.proxied("https://example.com/" + i + ".jpg");
            assertEquals(31, proxied.length(), proxied); // as the imagehoster's U5dtZPvjpfzc3fgGtsoNQq7WLNv8sLT
            assertTrue(proxied.startsWith("U5d"), proxied); // a sha1 multihash in base58 starts 5d
        }
        assertEquals("LT/U5dtZPvjpfzc3fgGtsoNQq7WLNv8sLT", HiveKeys.objectName("U5dtZPvjpfzc3fgGtsoNQq7WLNv8sLT", true));
        assertEquals("U5dtZPvjpfzc3fgGtsoNQq7WLNv8sLT", HiveKeys.objectName("U5dtZPvjpfzc3fgGtsoNQq7WLNv8sLT", false));
        assertTrue(HiveKeys.isUploadKey("DQmb2HNSGKN3pakguJ4ChCRjgkVuDN9WniFRPmrxoJ4sjR4"), "the imagehoster's default avatar");
        assertTrue(!HiveKeys.isUploadKey("DQmb2HNSGKN3pakguJ4ChCRjgkVuDN9WniFRPmrxoJ4sjR0"), "0 is no base58 digit");
        assertTrue(!HiveKeys.isUploadKey("UQmb2HNSGKN3pakguJ4ChCRjgkVuDN9WniFRPmrxoJ4sjR4"));
    }

    @Test
    void theChecksumChallengeSignsTheFilesHash() {
        byte[] image = "not really an image".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(HiveKeys.challenge(HiveTestKeys.sha256(image)), HiveKeys.checksumChallenge(image));
    }
}
