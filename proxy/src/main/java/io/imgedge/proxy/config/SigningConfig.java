package io.imgedge.proxy.config;


import java.util.ArrayList;
import java.util.List;

/**
 * URL signing ({@code imgedge.signing}): HMAC-SHA256 key/salt pairs, the first is current,
 * the rest are accepted during rotation.
 *
 * @param signatureSize bytes of the HMAC the signature carries (imgproxy's truncation), 1..32
 */
public record SigningConfig(boolean enabled, List<KeyPair> keys, int signatureSize) {

    /** Full-size signatures. */
    public SigningConfig(boolean enabled, List<KeyPair> keys) {
        this(enabled, keys, 32);
    }

    /** One key and salt, raw bytes (hex in the config). */
    public record KeyPair(byte[] key, byte[] salt) {
    }

    public SigningConfig {
        keys = List.copyOf(keys);
        if (signatureSize < 1 || signatureSize > 32) {
            throw new IllegalArgumentException("signature size must be 1..32 bytes");
        }
    }

    static SigningConfig from(Section c) {
        boolean enabled = c.getBoolean("enabled");
        List<KeyPair> keys = new ArrayList<>();
        if (!c.getString("key").isEmpty()) {
            keys.add(new KeyPair(ConfigValues.hex(c, "key"), ConfigValues.hex(c, "salt")));
        }
        List<Section> previous = c.getSections("previous");
        for (int i = 0; i < previous.size(); i++) {
            Section pair = previous.get(i);
            if (!pair.has("key") || !pair.has("salt")) {
                throw ConfigValues.bad(c, "previous", "entry " + i + " needs key and salt");
            }
            keys.add(new KeyPair(ConfigValues.hex(pair, "key"), ConfigValues.hex(pair, "salt")));
        }
        if (enabled && keys.isEmpty()) {
            throw ConfigValues.bad(c, "key", "signing is on but no key is set (set signing.key and signing.salt, "
                    + "or signing.enabled = false to accept unsigned URLs)");
        }
        return new SigningConfig(enabled, keys, ConfigValues.intBetween(c, "signature_size", 1, 32));
    }
}
