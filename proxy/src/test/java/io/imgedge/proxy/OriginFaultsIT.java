package io.imgedge.proxy;

import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static io.imgedge.proxy.Harness.get;
import static io.imgedge.proxy.Harness.loopbackOrigins;
import static io.imgedge.proxy.Harness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an origin's bad answers leave behind (issue 14): nothing cached that cannot be used or was not meant to be. */
class OriginFaultsIT {
    @RegisterExtension
    final Harness harness = new Harness();

    /** A body cut short was served by raw:1 and cached for the remote TTL, so every size failed after the origin recovered. */
    @Test
    void aCutOriginalIsNeitherServedNorKept() throws Exception {
        TestClock clock = new TestClock();
        TestOrigin origin = harness.origin();
        byte[] whole = TestImages.jpeg(400, 300);
        origin.put("p.jpg", Arrays.copyOf(whole, whole.length / 2), "public, max-age=86400");
        ImgedgeServer server = harness.node("node", loopbackOrigins(Map.of("imgedge.cache.negative_ttl", "10s")), clock);
        String url = origin.url("/img/p.jpg");
        assertEquals(422, get(server, "/_/w:100/plain/" + url).statusCode());
        HttpResponse<byte[]> raw = get(server, "/_/raw:1/plain/" + url);
        assertEquals(422, raw.statusCode(), "raw serves only bytes that decode: " + raw.body().length + " bytes");
        assertEquals(422, get(server, "/_/w:120/plain/" + url).statusCode(), "remembered for the negative TTL");
        assertEquals(1, origin.hits("/img/p.jpg"));

        origin.put("p.jpg", whole, "public, max-age=86400");
        clock.advance(Duration.ofSeconds(11));
        HttpResponse<byte[]> fixed = get(server, "/_/w:100/plain/" + url);
        assertEquals(200, fixed.statusCode(), text(fixed));
        assertEquals(100, TestImages.decode(fixed.body()).getWidth());
        assertEquals(2, origin.hits("/img/p.jpg"), "the cut original was not kept: fetched again");
        assertArrayEquals(whole, get(server, "/_/raw:1/plain/" + url).body());
        assertEquals(200, get(server, "/_/w:120/plain/" + url).statusCode());
        assertEquals(2, origin.hits("/img/p.jpg"), "and the good one is");
    }

    /** no-store, no-cache, private and max-age=0 with remote_min = 0s never expired (issue 14). */
    @Test
    void originalsTheOriginSaysNotToKeepAreNotKept() throws Exception {
        TestOrigin origin = harness.origin();
        ImgedgeServer server = harness.node(loopbackOrigins(Map.of("imgedge.cache.ttl.remote_min", "0s")));
        int n = 0;
        for (String cacheControl : new String[]{"no-store", "no-cache", "private", "max-age=0", "public, max-age=0"}) {
            String name = "p" + n++ + ".png";
            origin.put(name, TestImages.png(60, 40), cacheControl);
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> response = get(server, "/_/w:30/plain/" + origin.url("/img/" + name));
                assertEquals(200, response.statusCode());
                assertEquals("miss", response.headers().firstValue("x-cache").orElseThrow(), cacheControl);
            }
            assertEquals(2, origin.hits("/img/" + name), cacheControl + ": asked each time");
        }
        origin.put("kept.png", TestImages.png(60, 40), "max-age=600");
        get(server, "/_/w:30/plain/" + origin.url("/img/kept.png"));
        assertEquals("hit-memory", get(server, "/_/w:30/plain/" + origin.url("/img/kept.png")).headers()
                .firstValue("x-cache").orElseThrow());
    }

    /** A multi-page pyramid TIFF answered 422 at every width (issue 14): page 0, as documented. */
    @Test
    void aPyramidTiffServesItsFirstPage() throws Exception {
        Files.write(harness.images().resolve("pyramid.tif"), TestImages.tiff(false,
                new TestImages.Page(1600, 1000, 0xff0000), new TestImages.Page(800, 500, 0x00ff00),
                new TestImages.Page(400, 250, 0x0000ff)));
        ImgedgeServer server = harness.node(Map.of());
        for (int width : new int[]{100, 300, 500, 900, 1600}) {
            for (String ext : new String[]{"jpg", "webp", "png"}) {
                HttpResponse<byte[]> response = get(server, "/_/w:" + width + "/plain/local:///pyramid.tif@" + ext);
                assertEquals(200, response.statusCode(), width + "@" + ext + ": " + text(response));
                var image = TestImages.decode(response.body());
                assertEquals(width, image.getWidth(), width + "@" + ext);
                int rgb = image.getRGB(width / 2, image.getHeight() / 2);
                assertTrue((rgb >> 16 & 0xff) > 200 && (rgb & 0xff) < 60, "page 0 is red: " + Integer.toHexString(rgb));
            }
        }
    }
}
