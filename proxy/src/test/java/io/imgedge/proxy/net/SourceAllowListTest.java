package io.imgedge.proxy.net;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.url.Source;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceAllowListTest {
    @Test
    void matchesByPartsNotText() {
        SourceAllowList list = SourceAllowList.parse(List.of("http://example.com/images", "https://cdn.example.org"));
        assertTrue(list.allows(URI.create("http://example.com/images/a.jpg")));
        assertTrue(list.allows(URI.create("http://EXAMPLE.com:80/images")));
        assertTrue(list.allows(URI.create("https://cdn.example.org/x/y.png")));
        assertFalse(list.allows(URI.create("http://example.com/imagesevil/a.jpg")), "path boundary");
        assertFalse(list.allows(URI.create("http://example.com@evil.test/images/a.jpg")), "user part naming the host");
        assertFalse(list.allows(URI.create("http://example.com.evil.test/images/a.jpg")), "host suffix");
        assertFalse(list.allows(URI.create("http://example.com:8080/images/a.jpg")), "other port");
        assertFalse(list.allows(URI.create("https://example.com/images/a.jpg")), "other scheme");
        assertFalse(list.allows(URI.create("http://cdn.example.org/a.png")), "other scheme for cdn");
        assertTrue(SourceAllowList.parse(List.of()).allows(URI.create("http://anything.test/")));
        assertThrows(IllegalArgumentException.class, () -> SourceAllowList.parse(List.of("ftp://x/")));
        assertThrows(IllegalArgumentException.class, () -> SourceAllowList.parse(List.of("http://u@x/")));
    }

    /** Traversal spellings once passed the prefix check and reached the origin as sent (issue 13). */
    @Test
    void dotSegmentsAndEscapesCannotLeaveAnAllowedPrefix() {
        SourceAllowList list = SourceAllowList.parse(List.of("http://example.com/allowed/"));
        for (String escape : List.of("/allowed/../other/x.jpg", "/allowed/%2e%2e/other/x.jpg", "/allowed/.%2e/other/x.jpg",
                "/allowed/%2E%2E/other/x.jpg", "/allowed/./../other/x.jpg")) {
            URI normal = ((Source.Remote) Source.parse("http://example.com" + escape)).uri();
            assertFalse(list.allows(normal), escape + " is " + normal);
        }
        assertTrue(list.allows(((Source.Remote) Source.parse("http://example.com/allowed/a/../b/%78.jpg")).uri()));
        HttpError slash = assertThrows(HttpError.class, () -> Source.parse("http://example.com/allowed/..%2fother/x.jpg"));
        assertEquals(400, slash.status());
        assertTrue(SourceAllowList.parse(List.of("http://example.com/a/%7Eb")).allows(URI.create("http://example.com/a/~b/c")),
                "prefixes are normalised too");
    }
}
