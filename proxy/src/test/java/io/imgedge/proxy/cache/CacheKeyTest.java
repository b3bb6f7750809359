package io.imgedge.proxy.cache;

import io.imgedge.proxy.config.SigningConfig;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.ProcessingRequest;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.vips.TransformSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class CacheKeyTest {
    static final ProcessingUrlParser PARSER =
            new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(false, List.of())), 8192, Map.of());

    /** The key the server computes: defaults resolved as ImageService does (quality 80, strip on). */
    static CacheKey key(String path) {
        ProcessingRequest r = PARSER.parse("/_" + path);
        ProcessingOptions o = r.options();
        TransformSpec.Fit fit = TransformSpec.Fit.valueOf(o.resizingType().name());
        TransformSpec spec = new TransformSpec(o.width(), o.height(), fit, o.gravity(), o.enlarge(), o.format(),
                o.quality() == 0 ? 80 : o.quality(), o.adjust().stripMetadata().orElse(true), o.adjust().effects(),
                o.adjust().layout());
        return CacheKey.result(r.source(), spec, o.adjust().cachebuster());
    }

    @Test
    void sameMeaningSameKey() {
        CacheKey base = key("/rs:fill:300:200/plain/http://example.com/a.jpg@webp");
        for (String same : new String[]{
                "/resize:fill:300:200:0/plain/http://example.com/a.jpg@webp",
                "/rt:fill/w:300/h:200/plain/http://example.com/a.jpg@webp",
                "/h:200/w:300/rt:fill/plain/http://example.com/a.jpg@webp",
                "/s:300:200/rt:fill/f:webp/plain/http://example.com/a.jpg",
                "/rs:fill:300:200/q:80/g:ce/el:0/plain/http://example.com/a.jpg@webp",
                "/cachebuster:/rs:fill:300:200/plain/http://example.com/a.jpg@webp",
                "/w:1/rs:fill:300:200/plain/HTTP://Example.COM:80/a.jpg@webp",
                "/rs:fill:300:200/" + java.util.Base64.getUrlEncoder().withoutPadding()
                        .encodeToString("http://example.com/a.jpg".getBytes()) + ".webp"}) {
            assertEquals(base, key(same), same);
        }
    }

    @Test
    void differentMeaningDifferentKey() {
        String base = "/rs:fill:300:200/plain/http://example.com/a.jpg@webp";
        List<String> others = List.of(
                "/rs:fill:301:200/plain/http://example.com/a.jpg@webp",
                "/rs:fit:300:200/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/g:sm/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200:1/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/q:81/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/plain/http://example.com/a.jpg@avif",
                "/rs:fill:300:200/plain/http://example.com/a.jpg",
                "/rs:fill:300:200/plain/https://example.com/a.jpg@webp",
                "/rs:fill:300:200/plain/http://example.com:8080/a.jpg@webp",
                "/rs:fill:300:200/plain/http://example.com/a.jpg%3Fv%3D2@webp",
                "/rs:fill:300:200/c:100:100/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/c:100:100:no/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/ex:1/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/g:fp:0.2:0.3/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/g:fp:0.2:0.4/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/rot:90/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/bl:1/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/bg:ffffff/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/sm:0/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/cb:2/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/cb:3/plain/http://example.com/a.jpg@webp",
                "/rs:fill-down:300:200/plain/http://example.com/a.jpg@webp",
                "/rs:fill:300:200/plain/http://example.com/A.jpg@webp",
                "/rs:fill:300:200/plain/local:///a.jpg@webp",
                "/rs:fill:300:200/plain/s3://example.com/a.jpg@webp");
        java.util.Set<CacheKey> seen = new java.util.HashSet<>();
        seen.add(key(base));
        for (String other : others) {
            assertNotEquals(key(base), key(other), other);
            seen.add(key(other));
        }
        assertEquals(others.size() + 1, seen.size(), "every meaning has its own key");
    }

    @Test
    void sourceKeyIgnoresOptions() {
        var a = PARSER.parse("/_/w:10/plain/http://example.com/a.jpg").source();
        var b = PARSER.parse("/_/rs:fill:30:40/plain/http://EXAMPLE.com/a.jpg@png").source();
        assertEquals(CacheKey.source(a), CacheKey.source(b));
        assertNotEquals(CacheKey.source(a), key("/w:10/plain/http://example.com/a.jpg"));
    }
}
