package io.imgedge.proxy.url;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

/** imgproxy's URL signing, written for the tests from its documentation, apart from the code under test. */
public final class ImgproxySigning {
    private ImgproxySigning() {
    }

    /** {@code base64url_nopad(HMAC-SHA256(key, salt + path))}, cut to {@code size} bytes. */
    public static String signature(byte[] key, byte[] salt, String path, int size) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(salt);
            byte[] digest = mac.doFinal(path.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, size));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
