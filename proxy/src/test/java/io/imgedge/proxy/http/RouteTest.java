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

    @Test
    void routes() {
        assertInstanceOf(Route.Health.class, Route.of(HttpMethod.GET, "/health", DecoderResult.SUCCESS));
        assertInstanceOf(Route.Ready.class, Route.of(HttpMethod.HEAD, "/ready?x", DecoderResult.SUCCESS));
        assertEquals(new Route.Process("/sig/w:1/plain/local:///a.jpg"),
                Route.of(HttpMethod.GET, "/sig/w:1/plain/local:///a.jpg?cb=1", DecoderResult.SUCCESS));
        assertEquals(405, rejected(Route.of(HttpMethod.POST, "/sig/x", DecoderResult.SUCCESS)));
        assertEquals(404, rejected(Route.of(HttpMethod.GET, "/", DecoderResult.SUCCESS)));
        assertEquals(414, rejected(Route.of(HttpMethod.GET, "/x",
                DecoderResult.failure(new TooLongHttpLineException("long")))));
        assertEquals(431, rejected(Route.of(HttpMethod.GET, "/x",
                DecoderResult.failure(new TooLongHttpHeaderException("big")))));
        assertEquals(400, rejected(Route.of(HttpMethod.GET, "/x", DecoderResult.failure(new IllegalArgumentException()))));
        assertEquals("image", new Route.Process("/x").name());
        assertEquals(HttpError.class, ((Route.Rejected) Route.of(HttpMethod.PUT, "/", DecoderResult.SUCCESS)).error().getClass());
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
