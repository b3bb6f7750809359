package io.imgedge.proxy;

import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;

import static io.imgedge.proxy.Harness.get;
import static io.imgedge.proxy.Harness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every result stays within limits.max_result_side and max_result_pixels, whatever the URL asks (issue 13). */
class ResultLimitsIT {
    @RegisterExtension
    final Harness harness = new Harness();

    static BufferedImage image(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), text(response));
        return TestImages.decode(response.body());
    }

    @Test
    void enlargingWithoutBoundsIsBounded() throws Exception {
        Files.write(harness.images().resolve("10x10.png"), TestImages.png(10, 10));
        Files.write(harness.images().resolve("line.png"), TestImages.png(1, 1000));
        Files.write(harness.images().resolve("photo.jpg"), TestImages.jpeg(1200, 800));
        ImgedgeServer server = harness.node(Map.of("imgedge.limits.max_result_side", 1000,
                "imgedge.limits.max_result_pixels", 250_000));
        BufferedImage same = image(get(server, "/_/el:1/plain/local:///10x10.png"));
        assertEquals(10, same.getWidth(), "enlarge with no size has nothing to enlarge to");
        assertEquals(10, same.getHeight());
        BufferedImage tall = image(get(server, "/_/w:1000/el:1/plain/local:///line.png"));
        assertTrue(tall.getHeight() <= 1000, "a derived side stays within the bound: " + tall.getWidth() + "x" + tall.getHeight());
        BufferedImage dpr = image(get(server, "/_/rs:fill:900:900:1/dpr:5/plain/local:///photo.jpg"));
        assertTrue((long) dpr.getWidth() * dpr.getHeight() <= 250_000, dpr.getWidth() + "x" + dpr.getHeight());
        assertEquals(dpr.getWidth(), dpr.getHeight(), "the asked aspect stays");
        BufferedImage plain = image(get(server, "/_/plain/local:///photo.jpg"));
        assertTrue(plain.getWidth() <= 1000 && (long) plain.getWidth() * plain.getHeight() <= 250_000,
                "a source larger than the bounds, at its own size: " + plain.getWidth() + "x" + plain.getHeight());
    }
}
