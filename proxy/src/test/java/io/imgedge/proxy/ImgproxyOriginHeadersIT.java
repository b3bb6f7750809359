package io.imgedge.proxy;

import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The origin's Last-Modified and Cache-Control passed on, and If-Modified-Since answered: the
 * cases of imgproxy's {@code integration_test/processing_handler_test.go} (TestCacheControlPassthrough*,
 * TestLastModified*, TestModifiedSince*), each named after its test, on a real loopback origin.
 * imgproxy asks its origin again with the client's If-Modified-Since each time; imgedge keeps the
 * original and answers from the Last-Modified it kept, so the client sees the same statuses while
 * the origin is never sent the client's conditions (asserted where imgproxy asserts it too).
 */
class ImgproxyOriginHeadersIT {
    static final String LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT";

    @RegisterExtension
    final Harness harness = new Harness();

    TestOrigin origin;

    ImgedgeServer node(boolean lastModified, boolean cacheControl, String buster) throws Exception {
        origin = harness.origin();
        return harness.node(keys(lastModified, cacheControl, buster));
    }

    static Map<String, Object> keys(boolean lastModified, boolean cacheControl, String buster) {
        Map<String, Object> keys = new HashMap<>(Map.of("imgedge.signing.enabled", false,
                "imgedge.processing.auto_formats", List.of(),
                "imgedge.processing.origin_headers.last_modified", lastModified,
                "imgedge.processing.origin_headers.cache_control", cacheControl,
                "imgedge.processing.origin_headers.last_modified_buster", buster));
        return Harness.loopbackOrigins(keys);
    }

    /** Serves test1.png with these headers. */
    void serve(Map<String, String> headers) {
        origin.put("test1.png", TestImages.png(64, 48), headers);
    }

    HttpResponse<byte[]> get(ImgedgeServer server, String options, String... headers) throws Exception {
        return Harness.get(server, "/unsafe" + options + "/plain/" + origin.url("/img/test1.png"), headers);
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    static String httpDate(Instant instant) {
        return DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).format(instant.atOffset(ZoneOffset.UTC));
    }

    /** What the origin was asked with last: never the client's conditions. */
    void originSawNoConditions() {
        assertNull(origin.requestHeaders("/img/test1.png").getFirst("If-Modified-Since"));
        assertNull(origin.requestHeaders("/img/test1.png").getFirst("If-None-Match"));
    }

    @Test
    void testCacheControlPassthroughCacheControl() throws Exception {
        ImgedgeServer server = node(false, true, "");
        serve(Map.of("Cache-Control", "max-age=1234, public", "Expires", httpDate(Instant.now().plusSeconds(3600))));
        for (String cache : new String[] {"miss", "hit-memory"}) {
            HttpResponse<byte[]> response = get(server, "/rs:fill:4:4");
            assertEquals(200, response.statusCode());
            assertEquals(cache, header(response, "x-cache"));
            assertEquals("max-age=1234, public", header(response, "cache-control"));
            assertNull(header(response, "expires"));
        }
    }

    @Test
    void testCacheControlPassthroughExpires() throws Exception {
        ImgedgeServer server = node(false, true, "");
        serve(Map.of("Expires", httpDate(Instant.now().plusSeconds(1239))));
        HttpResponse<byte[]> response = get(server, "/rs:fill:4:4");
        assertEquals(200, response.statusCode());
        String cacheControl = header(response, "cache-control");
        assertTrue(cacheControl.matches("public, max-age=123[0-9]"), cacheControl);
        assertNull(header(response, "expires"));
    }

    @Test
    void testCacheControlPassthroughDisabled() throws Exception {
        ImgedgeServer server = node(false, false, "");
        serve(Map.of("Cache-Control", "max-age=1234, public", "Expires", httpDate(Instant.now().plusSeconds(3600))));
        HttpResponse<byte[]> response = get(server, "/rs:fill:4:4");
        assertEquals(200, response.statusCode());
        assertNotEquals("max-age=1234, public", header(response, "cache-control"));
        assertEquals("public, max-age=3600", header(response, "cache-control"));
        assertNull(header(response, "expires"));
    }

    /** A URL with its own expiry ({@code exp}) keeps its bounded max-age, as imgproxy's explicit max-age wins. */
    @Test
    void passthroughYieldsToTheUrlsOwnExpiry() throws Exception {
        ImgedgeServer server = node(false, true, "");
        serve(Map.of("Cache-Control", "max-age=99999, public"));
        long expires = Instant.now().getEpochSecond() + 600;
        String cacheControl = header(get(server, "/rs:fill:4:4/exp:" + expires), "cache-control");
        assertTrue(cacheControl.matches("public, max-age=(59[0-9]|600)"), cacheControl);
    }

    @Test
    void testLastModifiedEnabled() throws Exception {
        ImgedgeServer server = node(true, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        for (String cache : new String[] {"miss", "hit-memory"}) {
            HttpResponse<byte[]> response = get(server, "/rs:fill:4:4");
            assertEquals(cache, header(response, "x-cache"));
            assertEquals(LAST_MODIFIED, header(response, "last-modified"));
        }
    }

    @Test
    void testLastModifiedDisabled() throws Exception {
        ImgedgeServer server = node(false, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        assertNull(header(get(server, "/rs:fill:4:4"), "last-modified"));
    }

    @Test
    void testModifiedSinceReqExactMatchLastModifiedDisabled() throws Exception {
        ImgedgeServer server = node(false, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        assertEquals(200, get(server, "", "If-Modified-Since", LAST_MODIFIED).statusCode());
        originSawNoConditions();
    }

    @Test
    void testModifiedSinceReqExactMatchLastModifiedEnabled() throws Exception {
        ImgedgeServer server = node(true, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        HttpResponse<byte[]> first = get(server, "", "If-Modified-Since", LAST_MODIFIED);
        assertEquals(304, first.statusCode());
        assertEquals(0, first.body().length);
        assertEquals(LAST_MODIFIED, header(first, "last-modified"));
        assertEquals(304, get(server, "", "If-Modified-Since", LAST_MODIFIED).statusCode(), "and from memory");
        originSawNoConditions();
    }

    @Test
    void testLastModifiedBuster() throws Exception {
        Instant buster = Instant.now().minusSeconds(5);
        ImgedgeServer server = node(true, false, buster.toString());
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        assertEquals(httpDate(buster.truncatedTo(ChronoUnit.SECONDS)),
                header(get(server, "/rs:fill:4:4"), "last-modified"));
    }

    @Test
    void testModifiedSinceReqCompareMoreRecentLastModifiedDisabled() throws Exception {
        ImgedgeServer server = node(false, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        assertEquals(200, get(server, "", "If-Modified-Since", "Thu, 25 Feb 2021 01:45:00 GMT").statusCode());
        originSawNoConditions();
    }

    @Test
    void testModifiedSinceReqCompareMoreRecentLastModifiedEnabled() throws Exception {
        ImgedgeServer server = node(true, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        assertEquals(304, get(server, "", "If-Modified-Since", "Thu, 25 Feb 2021 01:45:00 GMT").statusCode());
    }

    @Test
    void testModifiedSinceReqCompareTooOldLastModifiedDisabled() throws Exception {
        ImgedgeServer server = node(false, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        assertEquals(200, get(server, "", "If-Modified-Since", "Tue, 01 Oct 2013 17:31:00 GMT").statusCode());
        originSawNoConditions();
    }

    @Test
    void testModifiedSinceReqCompareTooOldLastModifiedEnabled() throws Exception {
        ImgedgeServer server = node(true, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        HttpResponse<byte[]> response = get(server, "", "If-Modified-Since", "Tue, 01 Oct 2013 17:31:00 GMT");
        assertEquals(200, response.statusCode());
        assertEquals(64, TestImages.decode(response.body()).getWidth());
    }

    /** RFC 9110 13.2.2: when If-None-Match is sent it alone decides; a date that is not one is ignored. */
    @Test
    void ifNoneMatchOverridesIfModifiedSinceAndBadDatesAreIgnored() throws Exception {
        ImgedgeServer server = node(true, false, "");
        serve(Map.of("Last-Modified", LAST_MODIFIED));
        String etag = header(get(server, "/rs:fill:4:4"), "etag");
        assertEquals(200, get(server, "/rs:fill:4:4", "If-None-Match", "\"other\"", "If-Modified-Since", LAST_MODIFIED)
                .statusCode());
        assertEquals(304, get(server, "/rs:fill:4:4", "If-None-Match", etag, "If-Modified-Since", "Tue, 01 Oct 2013 17:31:00 GMT")
                .statusCode());
        assertEquals(200, get(server, "/rs:fill:4:4", "If-Modified-Since", "yesterday").statusCode());
        assertEquals(200, get(server, "/rs:fill:4:4", "If-Modified-Since", "").statusCode());
    }

    /** A source whose origin sent no Last-Modified has no date to compare: If-Modified-Since is ignored. */
    @Test
    void noLastModifiedNoNotModified() throws Exception {
        ImgedgeServer server = node(true, true, "");
        serve(Map.of());
        HttpResponse<byte[]> response = get(server, "/rs:fill:4:4", "If-Modified-Since", "Thu, 25 Feb 2021 01:45:00 GMT");
        assertEquals(200, response.statusCode());
        assertNull(header(response, "last-modified"));
        assertEquals("public, max-age=3600", header(response, "cache-control"), "nothing to pass on: our own");
    }

    /** The origin's headers live in the disk entry too: a restarted node (memory empty) still passes them on. */
    @Test
    void originHeadersSurviveARestart() throws Exception {
        origin = harness.origin();
        serve(Map.of("Last-Modified", LAST_MODIFIED, "Cache-Control", "max-age=777, public"));
        Map<String, Object> keys = keys(true, true, "");
        ImgedgeServer first = harness.node("same", keys, InstantSource.system());
        assertEquals("miss", header(get(first, "/rs:fill:8:8"), "x-cache"));
        first.close();
        ImgedgeServer again = harness.node("same", keys, InstantSource.system());
        HttpResponse<byte[]> response = get(again, "/rs:fill:8:8");
        assertEquals("hit-disk", header(response, "x-cache"));
        assertEquals(LAST_MODIFIED, header(response, "last-modified"));
        assertEquals("max-age=777, public", header(response, "cache-control"));
        assertEquals(1, origin.hits("/img/test1.png"));
    }

    /** Local files have a Last-Modified: their modification time (so do s3 and store objects). */
    @Test
    void localFilesAreDatedByTheirModificationTime() throws Exception {
        ImgedgeServer server = node(true, false, "");
        Path file = harness.images().resolve("dated.png");
        Files.write(file, TestImages.png(30, 20));
        Instant modified = Instant.parse("2024-03-04T05:06:07Z");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        HttpResponse<byte[]> response = Harness.get(server, "/unsafe/w:10/plain/local:///dated.png");
        assertEquals(httpDate(modified), header(response, "last-modified"));
        assertEquals(304, Harness.get(server, "/unsafe/w:10/plain/local:///dated.png", "If-Modified-Since",
                httpDate(modified)).statusCode());
        assertFalse(Optional.ofNullable(header(response, "expires")).isPresent());
    }
}
