package io.imgedge.proxy.net;

import io.imgedge.proxy.url.Source;
import io.imgedge.proxy.error.HttpError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RemoteUrlsTest {
    /** RFC 3986 section 5.2.4's own examples, and the section 5.4 reference resolutions' dot handling. */
    @ParameterizedTest
    @CsvSource({
            "/a/b/c/./../../g, /a/g",
            "mid/content=5/../6, mid/6",
            "/a/b/c/./g, /a/b/c/g",
            "/a/b/c/../../../g, /g",
            "/a/b/c/../../../../g, /g",
            "/./g, /g",
            "/../g, /g",
            "/a/b/g., /a/b/g.",
            "/a/b/.g, /a/b/.g",
            "/a/b/g.., /a/b/g..",
            "/a/b/..g, /a/b/..g",
            "/a/b/c/./../g/., /a/b/g/",
            "/a/b/c/g/./h, /a/b/c/g/h",
            "/a/b/c/g/../h, /a/b/c/h",
            "/a/.., /",
            "/, /"})
    void rfc3986RemoveDotSegments(String path, String expected) {
        assertEquals(expected, RemoteUrls.removeDotSegments(path));
    }

    @ParameterizedTest
    @CsvSource({
            "http://h/allowed/../other/x.jpg, http://h/other/x.jpg",
            "http://h/allowed/%2e%2e/other/x.jpg, http://h/other/x.jpg",
            "http://h/allowed/.%2e/other/x.jpg, http://h/other/x.jpg",
            "http://h/allowed/%2E./other/x.jpg, http://h/other/x.jpg",
            "http://h/a/%7Euser/%41.jpg?q=%2e, http://h/a/~user/A.jpg?q=%2e",
            "http://h/a%20b/%c3%a9.jpg, http://h/a%20b/%C3%A9.jpg",
            "http://h/plain.jpg, http://h/plain.jpg"})
    void pathsHaveOneSpelling(String url, String normal) {
        assertEquals(normal, RemoteUrls.normalize(URI.create(url)).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h/allowed/..%2fother/x", "http://h/allowed/%2F../x", "http://h/a%5c..%5cb",
            "http://h/a%2f"})
    void encodedSeparatorsAreRefused(String url) {
        assertThrows(IllegalArgumentException.class, () -> RemoteUrls.normalize(URI.create(url)));
    }

    /** Java reads 0177.0.0.1 as 177.0.0.1 (off this machine), browsers and WHATWG as 127.0.0.1: never guess. */
    @ParameterizedTest
    @ValueSource(strings = {"0177.0.0.1", "0x7f.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "127.0.0.01",
            "127.0.0.1.", "1.2.3.04", "256.0.0.1", "example.0x10", "1.2.3.4.5"})
    void ambiguousNumericHostsAreRefused(String host) {
        assertThrows(IllegalArgumentException.class, () -> RemoteUrls.checkNumericHost(host), host);
        if (!host.startsWith("0x7f0") && !host.equals("2130706433")) {
            HttpError refused = assertThrows(HttpError.class, () -> Source.parse("http://" + host + "/x.jpg"), host);
            assertEquals(400, refused.status());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "8.8.8.8", "255.255.255.255", "0.0.0.0", "example.com",
            "1e100.net", "cdn1.example.com", "a.b.c.d", "xn--nxasmq6b.example"})
    void canonicalAddressesAndNamesPass(String host) {
        RemoteUrls.checkNumericHost(host);
    }

    @Test
    void sourcesAreKeptNormalised() {
        Source source = Source.parse("http://example.com/img/%2e%2e/x.jpg");
        assertEquals("http://example.com/x.jpg", source.canonical());
    }
}
