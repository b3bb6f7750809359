package io.imgedge.proxy;

import io.imgedge.proxy.hive.Base58;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.imgedge.proxy.Harness.get;
import static io.imgedge.proxy.Harness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What results carry of their source's metadata, read back from the bytes (issue 13: WebP kept EXIF with GPS). */
class MetadataIT {
    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void everyWayToAskForAnImageStripsItsMetadata() throws Exception {
        byte[] tagged = TestImages.taggedJpeg(600, 400);
        Files.write(harness.images().resolve("t.jpg"), tagged);
        TestOrigin origin = harness.origin();
        origin.put("t.jpg", tagged);
        ImgedgeServer server = harness.node(Harness.loopbackOrigins(Map.of("imgedge.hive.enabled", true,
                "imgedge.processing.auto_formats", List.of("webp", "avif"))));
        for (String ext : List.of("webp", "jpg", "png", "avif", "gif")) {
            stripped(get(server, "/_/w:100/plain/local:///t.jpg@" + ext), ImageFormat.fromExtension(ext).orElseThrow());
        }
        stripped(get(server, "/_/w:100/plain/local:///t.jpg", "Accept", "image/webp,*/*"), ImageFormat.WEBP);
        stripped(get(server, "/_/w:100/plain/local:///t.jpg", "Accept", "image/avif,*/*"), ImageFormat.AVIF);
        stripped(get(server, "/_/w:100/plain/local:///t.jpg"), ImageFormat.JPEG);
        String hive = "/p/" + Base58.encode(origin.url("/img/t.jpg").getBytes(StandardCharsets.UTF_8));
        stripped(get(server, hive + "?format=webp&width=100"), ImageFormat.WEBP);
        stripped(get(server, hive + "?width=100"), ImageFormat.JPEG);

        HttpResponse<byte[]> kept = get(server, "/_/w:100/sm:0/plain/local:///t.jpg@webp");
        assertTrue(TestImages.metadata(kept.body()).containsAll(List.of("exif", "make")),
                "sm:0 keeps it, so the check can see it: " + TestImages.metadata(kept.body()));
    }

    static void stripped(HttpResponse<byte[]> response, ImageFormat format) {
        assertEquals(200, response.statusCode(), text(response));
        assertEquals(format, TestImages.sniff(response.body()));
        assertEquals(Set.of(), TestImages.metadata(response.body()), response.uri() + " as " + format);
    }
}
