package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTest {
    static int rejected(Route route) {
        return assertInstanceOf(Route.Rejected.class, route).error().status();
    }

    /** imgproxy's IMGPROXY_PATH_PREFIX (handlers/path_test.go PathWithPrefix): every public path under it. */
    @Test
    void aPathPrefixPutsEveryRouteUnderIt() {
        assertEquals(new Route.Process("/dummy_signature/rs:fill:300:200/plain/http://example.com/image.jpg"),
                Route.of(HttpMethod.GET, "/imgproxy/dummy_signature/rs:fill:300:200/plain/http://example.com/image.jpg",
                        DecoderResult.SUCCESS, "/imgproxy"));
        assertInstanceOf(Route.Health.class, Route.of(HttpMethod.GET, "/imgproxy/health", DecoderResult.SUCCESS, "/imgproxy"));
        assertEquals(404, rejected(Route.of(HttpMethod.GET, "/health", DecoderResult.SUCCESS, "/imgproxy")));
        assertEquals(404, rejected(Route.of(HttpMethod.GET, "/imgproxyx/sig/w:1/plain/a", DecoderResult.SUCCESS, "/imgproxy")),
                "a prefix is a whole segment");
        assertEquals(414, rejected(Route.of(HttpMethod.GET, "/x",
                DecoderResult.failure(new TooLongHttpLineException("long")), "/imgproxy")));
    }

    @Test
    void routes() {
        assertInstanceOf(Route.Health.class, Route.of(HttpMethod.GET, "/health", DecoderResult.SUCCESS));
        assertInstanceOf(Route.Ready.class, Route.of(HttpMethod.HEAD, "/ready?x", DecoderResult.SUCCESS));
        assertEquals(new Route.Process("/sig/w:1/plain/local:///a.jpg"),
                Route.of(HttpMethod.GET, "/sig/w:1/plain/local:///a.jpg?cb=1", DecoderResult.SUCCESS));
        assertEquals(405, rejected(Route.of(HttpMethod.POST, "/sig/x/y/z", DecoderResult.SUCCESS)));
        assertEquals(405, rejected(Route.of(HttpMethod.POST, "/sig", DecoderResult.SUCCESS)));
        assertInstanceOf(Route.HiveHealth.class, Route.of(HttpMethod.GET, "/", DecoderResult.SUCCESS));
        assertEquals(414, rejected(Route.of(HttpMethod.GET, "/x",
                DecoderResult.failure(new TooLongHttpLineException("long")))));
        assertEquals(431, rejected(Route.of(HttpMethod.GET, "/x",
                DecoderResult.failure(new TooLongHttpHeaderException("big")))));
        assertEquals(400, rejected(Route.of(HttpMethod.GET, "/x", DecoderResult.failure(new IllegalArgumentException()))));
        assertEquals("image", new Route.Process("/x").name());
        assertEquals(HttpError.class, ((Route.Rejected) Route.of(HttpMethod.PUT, "/", DecoderResult.SUCCESS)).error().getClass());
    }

    @Test
    void uploadAndOriginalRoutes() {
        String key = "ab/cd/abcd" + "0".repeat(60) + ".png";
        assertInstanceOf(Route.Upload.class, Route.of(HttpMethod.POST, "/upload", DecoderResult.SUCCESS));
        assertTrue(Route.of(HttpMethod.POST, "/upload?x=1", DecoderResult.SUCCESS).takesBody());
        assertEquals(405, rejected(Route.of(HttpMethod.GET, "/upload", DecoderResult.SUCCESS)));
        assertEquals(new Route.Original(key), Route.of(HttpMethod.GET, "/i/" + key, DecoderResult.SUCCESS));
        assertFalse(Route.of(HttpMethod.HEAD, "/i/" + key, DecoderResult.SUCCESS).takesBody());
        assertEquals(404, rejected(Route.of(HttpMethod.GET, "/i/ab/cd/abcd.png", DecoderResult.SUCCESS)));
        assertEquals(404, rejected(Route.of(HttpMethod.GET, "/i/ff/cd/abcd" + "0".repeat(60) + ".png", DecoderResult.SUCCESS)),
                "the prefix must match the hash");
        assertEquals(405, rejected(Route.of(HttpMethod.DELETE, "/i/" + key, DecoderResult.SUCCESS)));
    }

    @Test
    void infoAndHiveRoutes() {
        assertEquals(new Route.Info("/sig/plain/local:///a.jpg"), Route.of(HttpMethod.GET, "/info/sig/plain/local:///a.jpg",
                DecoderResult.SUCCESS));
        assertEquals(new Route.Hive("2NEpo7TZRRrLZSi2U", "width=10"), Route.of(HttpMethod.GET, "/p/2NEpo7TZRRrLZSi2U?width=10",
                DecoderResult.SUCCESS));
        assertEquals(new Route.Hive("abc", null), Route.of(HttpMethod.GET, "/p/abc", DecoderResult.SUCCESS));
        assertEquals(new Route.HiveLegacy(640, 0, "https://example.com/a.jpg?x=1"),
                Route.of(HttpMethod.GET, "/640x0/https://example.com/a.jpg?x=1", DecoderResult.SUCCESS));
        assertInstanceOf(Route.Process.class, Route.of(HttpMethod.GET, "/640x0/plain/https://example.com/a.jpg",
                DecoderResult.SUCCESS), "an imgproxy path whose signature looks like a size");
    }

    @Test
    void templateRoutes() {
        assertEquals(new Route.TemplateImage("/sig/card/e30.png", null), Route.of(HttpMethod.GET, "/t/sig/card/e30.png",
                DecoderResult.SUCCESS));
        assertEquals(new Route.TemplateImage("/sig/card", "name=a&price=1"), Route.of(HttpMethod.GET, "/t/sig/card?name=a&price=1",
                DecoderResult.SUCCESS));
        assertEquals("template", new Route.TemplateImage("/x", null).name());
    }

    /** The imagehoster's routes.ts: uploads, uploads served by key, health checks. */
    @Test
    void hiveUploadAndServeRoutes() {
        assertEquals(new Route.HiveUpload(false, "foo", "1f00"), Route.of(HttpMethod.POST, "/foo/1f00", DecoderResult.SUCCESS));
        assertEquals(new Route.HiveUpload(true, "foo", "1f00"), Route.of(HttpMethod.POST, "/cs/foo/1f00", DecoderResult.SUCCESS));
        assertTrue(Route.of(HttpMethod.POST, "/cs/foo/1f00", DecoderResult.SUCCESS).takesBody());
        assertEquals(new Route.HiveSignerUpload("token"), Route.of(HttpMethod.POST, "/hs/token", DecoderResult.SUCCESS));
        assertEquals(405, rejected(Route.of(HttpMethod.POST, "/foo//", DecoderResult.SUCCESS)));
        String key = "DQmb2HNSGKN3pakguJ4ChCRjgkVuDN9WniFRPmrxoJ4sjR4";
        assertEquals(new Route.HiveStored(key), Route.of(HttpMethod.GET, "/" + key, DecoderResult.SUCCESS));
        assertEquals(new Route.HiveStored(key), Route.of(HttpMethod.GET, "/" + key + "/bla.bla", DecoderResult.SUCCESS));
        assertEquals(new Route.HiveStored(key), Route.of(HttpMethod.HEAD, "/" + key + "/a.png?x=1", DecoderResult.SUCCESS));
        assertInstanceOf(Route.Process.class, Route.of(HttpMethod.GET, "/" + key + "/a/b", DecoderResult.SUCCESS));
        assertInstanceOf(Route.Process.class, Route.of(HttpMethod.GET, "/" + key.substring(1) + "/a", DecoderResult.SUCCESS));
        assertInstanceOf(Route.HiveHealth.class, Route.of(HttpMethod.GET, "/.well-known/healthcheck.json", DecoderResult.SUCCESS));
        assertInstanceOf(Route.HiveHealth.class, Route.of(HttpMethod.GET, "/healthcheck", DecoderResult.SUCCESS));
        assertEquals(new Route.HiveWebp("/u/foo/avatar/small"), Route.of(HttpMethod.GET, "/webp/u/foo/avatar/small", DecoderResult.SUCCESS));
        assertEquals(new Route.HiveWebp("/100x0/https://example.com/a.jpg?x=1"),
                Route.of(HttpMethod.GET, "/webp/100x0/https://example.com/a.jpg?x=1", DecoderResult.SUCCESS));
        assertInstanceOf(Route.Process.class, Route.of(HttpMethod.GET, "/webp/rs:fill:10:10/plain/local:///a.png",
                DecoderResult.SUCCESS), "an imgproxy path whose signature is webp");
        assertInstanceOf(Route.Preflight.class, Route.of(HttpMethod.OPTIONS, "/foo/sig", DecoderResult.SUCCESS));
        assertEquals(new Route.HiveAvatar("foo", null), Route.of(HttpMethod.GET, "/u/foo/avatar", DecoderResult.SUCCESS));
        assertEquals(new Route.HiveAvatar("foo", "large"), Route.of(HttpMethod.GET, "/u/foo/avatar/large", DecoderResult.SUCCESS));
        assertEquals(new Route.HiveCover("foo"), Route.of(HttpMethod.GET, "/u/foo/cover", DecoderResult.SUCCESS));
    }

    @Test
    void byteRanges() {
        assertEquals(new ByteRange(0, 99), ByteRange.parse("bytes=0-99").orElseThrow());
        ByteRange open = ByteRange.parse("bytes=100-").orElseThrow();
        assertEquals(100, open.offset(1000));
        assertEquals(900, open.length(1000));
        ByteRange suffix = ByteRange.parse("bytes=-10").orElseThrow();
        assertTrue(suffix.suffix());
        assertEquals(990, suffix.offset(1000));
        assertEquals(10, suffix.length(1000));
        assertEquals(0, ByteRange.parse("bytes=-5000").orElseThrow().offset(1000), "a suffix longer than the object is all of it");
        assertEquals(1000, ByteRange.parse("bytes=-5000").orElseThrow().length(1000));
        assertEquals(1, ByteRange.parse("bytes=999-2000").orElseThrow().length(1000), "the end is clamped");
        assertEquals(0, ByteRange.parse("bytes=1000-").orElseThrow().length(1000), "unsatisfiable");
        for (String ignored : new String[]{null, "", "items=0-1", "bytes=0-1,5-6", "bytes=5-1", "bytes=x-1", "bytes=-0", "bytes=1"}) {
            assertTrue(ByteRange.parse(ignored).isEmpty(), String.valueOf(ignored));
        }
    }

    @Test
    void entityTags() {
        String etag = "\"abc\"";
        assertTrue(EntityTags.noneMatchFails("\"abc\"", etag));
        assertTrue(EntityTags.noneMatchFails("\"x\", W/\"abc\"", etag));
        assertTrue(EntityTags.noneMatchFails("*", etag));
        assertFalse(EntityTags.noneMatchFails("\"abcd\"", etag));
        assertFalse(EntityTags.noneMatchFails(null, etag));
        assertFalse(EntityTags.noneMatchFails("", etag));
    }
}
