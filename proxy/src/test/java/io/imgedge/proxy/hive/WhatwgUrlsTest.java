package io.imgedge.proxy.hive;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Node's {@code new URL(s).toString()} (the WHATWG URL Standard's serializer) for the URLs Hive posts carry. */
class WhatwgUrlsTest {
    static void same(String expected, String input) {
        assertEquals(expected, WhatwgUrls.serialize(input), input);
    }

    /** The imagehoster's own start-up check (upload.ts): Node must be built with ICU for this. */
    @Test
    void theImagehostersIdnCheck() {
        same("http://xn--bl-wia.se/", "http://blä.se");
    }

    @Test
    void hostsPortsAndPaths() {
        same("https://example.com/", "https://Example.COM");
        same("https://example.com/a.jpg", "HTTPS://example.com:443/a.jpg");
        same("http://example.com:8080/a.jpg", "http://example.com:8080/a.jpg");
        same("http://example.com/a.jpg", "http://example.com:080/a.jpg");
        same("https://xn--bcher-kva.example/x", "https://bücher.example/x");
        same("https://example.com/b/c", "https://example.com/a/../b/./c");
        same("https://example.com/b/", "https://example.com/a/%2E%2E/b/.");
        same("https://example.com/a/b", "https://example.com\\a\\b");
        same("http://[::1]:8080/x", "http://[::1]:8080/x");
        same("https://user:pw@example.com/x", "https://user:pw@example.com/x");
    }

    @Test
    void percentEncodeSets() {
        same("https://example.com/a%20b.jpg", "https://example.com/a b.jpg");
        same("https://example.com/%C3%BC.jpg", "https://example.com/ü.jpg");
        same("https://example.com/a%20b%25.jpg", "https://example.com/a%20b%25.jpg");
        same("https://example.com/%7Bx%7D%60%22%3C%3E", "https://example.com/{x}`\"<>");
        same("https://example.com/p?q=a%20b&x=%27y%27&z=%22", "https://example.com/p?q=a b&x='y'&z=\"");
        same("https://example.com/p?a=b/c?d", "https://example.com/p?a=b/c?d");
        same("https://example.com/p#frag%20x", "https://example.com/p#frag x");
        same("https://images.hive.blog/DQmb2HNSGKN3pakguJ4ChCRjgkVuDN9WniFRPmrxoJ4sjR4/avatar.png",
                "https://images.hive.blog/DQmb2HNSGKN3pakguJ4ChCRjgkVuDN9WniFRPmrxoJ4sjR4/avatar.png");
    }

    @Test
    void onlyWebUrls() {
        for (String bad : new String[]{"ftp://example.com/a", "example.com/a", "https:///a", "javascript:alert(1)"}) {
            assertThrows(IllegalArgumentException.class, () -> WhatwgUrls.serialize(bad), bad);
        }
    }
}
