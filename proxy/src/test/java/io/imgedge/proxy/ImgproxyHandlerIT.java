package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cases of imgproxy's {@code integration_test/processing_handler_test.go} that imgedge
 * serves, each named after its test: skipping processing (by configuration and by URL), SVG
 * sources passed through or drawn, saving to SVG refused, raw sources, max_bytes, and a
 * default preset. Two nodes: one with imgedge's defaults, one configured as the imgproxy tests
 * configure theirs (PNG processing skipped, SVGs passed through, WebP enforced).
 */
class ImgproxyHandlerIT {
    @TempDir
    static Path dir;
    static ImgedgeServer plain;
    static ImgedgeServer configured;
    static byte[] png;

    @BeforeAll
    static void start() throws Exception {
        Path images = Files.createDirectories(dir.resolve("a/images"));
        png = TestImages.noisePng(64, 48, 3);
        Files.write(images.resolve("test1.png"), png);
        Files.write(images.resolve("photo.jpg"), TestImages.jpeg(400, 300));
        Files.writeString(images.resolve("test1.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"40\">"
                + "<rect width=\"40\" height=\"40\" fill=\"#3070b0\"/></svg>");
        Path other = Files.createDirectories(dir.resolve("b"));
        Files.createDirectories(other.resolve("images"));
        try (var files = Files.list(images)) {
            for (Path f : files.toList()) {
                Files.copy(f, other.resolve("images").resolve(f.getFileName()));
            }
        }
        plain = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), Harness.localNode(dir.resolve("a"), Map.of(
                "imgedge.signing.enabled", false, "imgedge.processing.auto_formats", List.of(),
                "imgedge.processing.presets", List.of("default=pixelate:10")))));
        configured = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), Harness.localNode(other, Map.of(
                "imgedge.signing.enabled", false, "imgedge.processing.auto_formats", List.of(),
                "imgedge.processing.skip_processing_formats", List.of("png"),
                "imgedge.processing.always_rasterize_svg", false,
                "imgedge.processing.enforce_formats", List.of("webp")))));
    }

    @AfterAll
    static void stop() {
        plain.close();
        configured.close();
    }

    static HttpResponse<byte[]> get(ImgedgeServer server, String path, String... headers) throws Exception {
        return Harness.get(server, "/unsafe" + path, headers);
    }

    static String type(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        return response.headers().firstValue("content-type").orElseThrow();
    }

    @Test
    void testSkipProcessingConfig() throws Exception {
        assertTrue(Arrays.equals(png, get(configured, "/rs:fill:4:4/plain/local:///test1.png").body()));
    }

    @Test
    void testSkipProcessingPO() throws Exception {
        assertTrue(Arrays.equals(png, get(plain, "/rs:fill:4:4/skp:png/plain/local:///test1.png").body()));
    }

    @Test
    void testSkipProcessingSameFormat() throws Exception {
        assertTrue(Arrays.equals(png, get(configured, "/rs:fill:4:4/plain/local:///test1.png@png").body()));
    }

    @Test
    void testSkipProcessingDifferentFormat() throws Exception {
        HttpResponse<byte[]> jpg = get(configured, "/rs:fill:4:4/plain/local:///test1.png@jpg");
        assertEquals("image/jpeg", type(jpg));
        assertFalse(Arrays.equals(png, jpg.body()));
    }

    @Test
    void testSkipProcessingSVG() throws Exception {
        HttpResponse<byte[]> svg = get(configured, "/rs:fill:4:4/plain/local:///test1.svg");
        assertEquals("image/svg+xml", type(svg));
        assertTrue(new String(svg.body(), StandardCharsets.UTF_8).contains("<rect"));
    }

    @Test
    void testNotSkipProcessingSVGToJPG() throws Exception {
        HttpResponse<byte[]> jpg = get(configured, "/rs:fill:4:4/plain/local:///test1.svg@jpg");
        assertEquals("image/jpeg", type(jpg));
        assertEquals(ImageFormat.JPEG, TestImages.sniff(jpg.body()));
    }

    @Test
    void testErrorSavingToSVG() throws Exception {
        assertEquals(422, get(plain, "/rs:fill:4:4/plain/local:///test1.png@svg").statusCode());
    }

    @Test
    void testAlwaysRasterizeSvg() throws Exception {
        assertEquals("image/png", type(get(plain, "/rs:fill:40:40/plain/local:///test1.svg")));
    }

    @Test
    void testAlwaysRasterizeSvgDisabled() throws Exception {
        assertEquals("image/svg+xml", type(get(configured, "/plain/local:///test1.svg")));
    }

    @Test
    void testAlwaysRasterizeSvgWithFormat() throws Exception {
        assertEquals("image/svg+xml", type(get(plain, "/plain/local:///test1.svg@svg")));
    }

    @Test
    void anSvgAskedForStaysSvgWhateverAcceptEnforces() throws Exception {
        assertEquals("image/svg+xml", type(get(configured, "/plain/local:///test1.svg@svg", "Accept", "image/webp")));
        assertEquals("image/webp", type(get(configured, "/plain/local:///photo.jpg@png", "Accept", "image/webp")),
                "other formats are enforced");
    }

    @Test
    void testRawOption() throws Exception {
        assertTrue(Arrays.equals(png, get(plain, "/raw:1/plain/local:///test1.png").body()));
    }

    @Test
    void testMaxBytes() throws Exception {
        byte[] source = Files.readAllBytes(dir.resolve("a/images/photo.jpg"));
        HttpResponse<byte[]> fitted = get(plain, "/q:100/mb:" + source.length / 2 + "/plain/local:///photo.jpg@jpg");
        assertEquals("image/jpeg", type(fitted));
        assertTrue(fitted.body().length <= source.length / 2, fitted.body().length + " of " + source.length / 2);
    }

    @Test
    void testPresetUsage() throws Exception {
        HttpResponse<byte[]> pixelated = get(plain, "/preset:default/plain/local:///test1.png@png");
        assertEquals("image/png", type(pixelated));
        assertFalse(Arrays.equals(png, pixelated.body()));
        var image = TestImages.decode(pixelated.body());
        assertEquals(image.getRGB(0, 0), image.getRGB(9, 9), "pixelate:10 from the default preset");
    }
}
