package io.imgedge.proxy.url;

import io.imgedge.proxy.config.SigningConfig;
import io.imgedge.proxy.error.HttpError;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * imgproxy's URL signature: {@code base64url_nopad(HMAC-SHA256(key, salt || path))}, where path
 * is everything after the signature segment, starting with {@code /}, cut to the configured
 * number of bytes. Every configured pair is tried (rotation); comparison is constant-time.
 * Thread-safe.
 */
public final class SignatureVerifier {
    private final SigningConfig config;

    public SignatureVerifier(SigningConfig config) {
        this.config = config;
    }

    /** @throws HttpError 403 when signing is on and no key signs {@code path} as {@code signature} */
    public void verify(String signature, String path) {
        if (!config.enabled()) {
            return;
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw HttpError.forbidden("invalid signature");
        }
        boolean valid = false;
        for (SigningConfig.KeyPair pair : config.keys()) {
            valid |= MessageDigest.isEqual(given, Arrays.copyOf(sign(pair, path), config.signatureSize()));
        }
        if (!valid) {
            throw HttpError.forbidden("invalid signature");
        }
    }

    /** The signature segment this node's first key gives {@code path} (its configured size), or {@code _} when signing is off. */
    public String signatureFor(String path) {
        if (!config.enabled()) {
            return "_";
        }
        byte[] mac = Arrays.copyOf(sign(config.keys().getFirst(), path), config.signatureSize());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    /** The full-size signature segment for {@code path} with {@code pair}. */
    public static String signature(SigningConfig.KeyPair pair, String path) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sign(pair, path));
    }

    private static byte[] sign(SigningConfig.KeyPair pair, String path) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pair.key(), "HmacSHA256"));
            mac.update(pair.salt());
            return mac.doFinal(path.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
