package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * imgproxy's own test cases, run as requests against a started server and checked by decoding
 * the results: the size table of {@code processing/processing_test.go} (every resizing type with
 * enlarge, extend, extend_aspect_ratio, max_result_dimension, rotate and padding, on a 200x100
 * {@code geometry.png}), and the cases of {@code options/parser/processing_options_test.go} that
 * describe a URL's meaning, each named after the test it comes from.
 */
class ImgproxyConformanceIT {
    /** What the libvips the node loads can write (sharp's build writes no BMP, ICO or JPEG XL). */
    private static final java.util.Set<ImageFormat> WRITTEN = io.imgedge.vips.Vips.load(TestImages.vipsLibrary()).outputs();
    @TempDir
    static Path dir;
    static ImgedgeServer server;

    @BeforeAll
    static void start() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("geometry.png"), TestImages.png(200, 100));
        Files.write(images.resolve("photo.jpg"), TestImages.jpeg(400, 300));
        Files.write(images.resolve("quadrants.png"), quadrants());
        Files.write(images.resolve("noise.png"), TestImages.noisePng(120, 90, 7));
        Files.write(images.resolve("anim.gif"), TestImages.animatedGif(120, 80, 5));
        Files.write(images.resolve("trim1.png"), trimRings());
        Files.writeString(images.resolve("logo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\">"
                + "<script>alert(1)</script><rect width=\"40\" height=\"20\" fill=\"red\"/></svg>");
        BufferedImage mark = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                mark.setRGB(x, y, 0xff00ff);
            }
        }
        Files.write(dir.resolve("mark.png"), TestImages.encode(mark, "png"));
        server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), Harness.localNode(dir, Map.of(
                "imgedge.signing.enabled", false,
                "imgedge.processing.allow_security_options", true,
                "imgedge.processing.watermark.path", dir.resolve("mark.png").toString(),
                "imgedge.processing.auto_formats", List.of(),
                "imgedge.processing.enforce_formats", List.of("webp"),
                "imgedge.processing.presets", List.of("test1=resizing_type:fill", "test2=blur:0.2/quality:50",
                        "loop1=resizing_type:fill/preset:loop2", "loop2=blur:0.2/preset:loop1")))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** 400x300: red top left, green top right, blue bottom left, white bottom right. */
    static byte[] quadrants() {
        BufferedImage image = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 400; x++) {
                image.setRGB(x, y, y < 150 ? (x < 200 ? 0xff0000 : 0x00ff00) : (x < 200 ? 0x0000ff : 0xffffff));
            }
        }
        return TestImages.encode(image, "png");
    }

    /**
     * imgproxy's testdata/trim1.png, drawn again: 350x250 grey, a black 200x100 middle in rings of
     * 255, 204, 153, 102 and 51, each 10 px wide at the top and left and 20 px at the bottom and right.
     */
    static byte[] trimRings() {
        BufferedImage image = new BufferedImage(350, 250, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 250; y++) {
            for (int x = 0; x < 350; x++) {
                int ring = Math.min(Math.min(x < 50 ? x / 10 : 5, x >= 250 ? (349 - x) / 20 : 5),
                        Math.min(y < 50 ? y / 10 : 5, y >= 150 ? (249 - y) / 20 : 5));
                int grey = 255 - 51 * ring;
                image.getRaster().setSample(x, y, 0, grey);
            }
        }
        return TestImages.encode(image, "png");
    }

    /** processing/trim_test.go TestThreshold, on trim1.png drawn again. */
    @ParameterizedTest(name = "trim:{0} -> {1}x{2}")
    @CsvSource(delimiter = '|', textBlock = """
            5            | 320 | 220
            100          | 290 | 190
            150          | 260 | 160
            200          | 230 | 130
            220          | 200 | 100
            0:ff0000     | 350 | 250
            5::1         | 330 | 220
            5:::1        | 320 | 230
            5::1:1       | 330 | 230
            """)
    void trimThreshold(String args, int width, int height) throws Exception {
        decoded("/trim:" + args + "/plain/local:///trim1.png", width, height);
    }

    static HttpResponse<byte[]> unsafe(String path) throws Exception {
        return Harness.get(server, "/unsafe" + path);
    }

    static BufferedImage decoded(String path, int width, int height) throws Exception {
        HttpResponse<byte[]> response = unsafe(path);
        assertEquals(200, response.statusCode(), path + ": " + new String(response.body(), StandardCharsets.UTF_8));
        BufferedImage image = TestImages.decode(response.body());
        assertEquals(width + "x" + height, image.getWidth() + "x" + image.getHeight(), path);
        return image;
    }

    /** The options imgproxy's size test builds for a row, in its order. */
    @ParameterizedTest(name = "{0} {1}:{2}x{3} el={4} ex={5} exar={6} mrd={7} rot={8} pd={9} -> {10}x{11}")
    @CsvFileSource(resources = "/imgproxy/processing_test_sizes.csv", delimiter = '|')
    void processingTestSizes(String test, String type, int width, int height, boolean enlarge, boolean extend,
                             boolean extendAr, int limit, int rotate, String padding, int outWidth, int outHeight)
            throws Exception {
        StringBuilder options = new StringBuilder();
        if (limit > 0) {
            options.append("/max_result_dimension:").append(limit);
        }
        options.append("/resize:").append(type).append(':').append(width).append(':').append(height);
        if (enlarge) {
            options.append("/enlarge:1");
        }
        if (extend) {
            options.append("/extend:1");
        }
        if (extendAr) {
            options.append("/extend_aspect_ratio:1");
        }
        if (rotate != 0) {
            options.append("/rotate:").append(rotate);
        }
        if (!padding.equals("0:0:0:0")) {
            options.append("/padding:").append(padding);
        }
        decoded(options + "/plain/local:///geometry.png", outWidth, outHeight);
    }

    @ParameterizedTest(name = "{0}: {1} -> {2} {3}x{4}")
    @CsvSource(delimiter = '|', textBlock = """
            # imgproxy test                      | options (400x300 photo.jpg)             | status | width | height
            TestParseBase64URL                   | /size:100:100/{base64}.png              | 200    | 100   | 75
            TestParseBase64URLWithoutExtension   | /size:100:100/{base64}                  | 200    | 100   | 75
            TestParsePlainURL                    | /size:100:100/plain/{plain}@png         | 200    | 100   | 75
            TestParsePlainURLWithoutExtension    | /size:100:100/plain/{plain}             | 200    | 100   | 75
            TestParsePlainURLEscaped             | /size:100:100/plain/local%3A%2F%2F%2Fphoto.jpg@png | 200 | 100 | 75
            TestParsePathFormat                  | /format:webp/plain/{plain}              | 200    | 400   | 300
            TestParsePathResize                  | /resize:fill:100:200:1/plain/{plain}    | 200    | 100   | 200
            TestParsePathResizingType            | /resizing_type:fill/plain/{plain}       | 200    | 400   | 300
            TestParsePathSize                    | /size:100:200:1/plain/{plain}           | 200    | 100   | 75
            TestParsePathWidth                   | /width:100/plain/{plain}                | 200    | 100   | 75
            TestParsePathHeight                  | /height:100/plain/{plain}               | 200    | 133   | 100
            TestParsePathEnlarge                 | /enlarge:1/plain/{plain}                | 200    | 400   | 300
            TestParsePathExtend                  | /extend:1:so:10:20/plain/{plain}        | 200    | 400   | 300
            TestParsePathExtendSmartGravity      | /extend:1:sm/plain/{plain}              | 400    | 0     | 0
            TestParsePathExtendReplicateGravity  | /extend:1:re/plain/{plain}              | 400    | 0     | 0
            TestParsePathGravity                 | /gravity:soea/rs:fill:100:100/plain/{plain} | 200 | 100   | 100
            TestParsePathGravityFocusPoint       | /gravity:fp:0.5:0.75/rs:fill:100:100/plain/{plain} | 200 | 100 | 100
            TestParsePathGravityReplicate        | /gravity:re/plain/{plain}               | 400    | 0     | 0
            TestParsePathCrop                    | /crop:100:200/plain/{plain}             | 200    | 100   | 200
            TestParsePathCropGravity             | /crop:100:200:nowe:10:20/plain/{plain}  | 200    | 100   | 200
            TestParsePathCropGravityReplicate    | /crop:100:200:re/plain/{plain}          | 400    | 0     | 0
            TestParsePathQuality                 | /quality:55/plain/{plain}               | 200    | 400   | 300
            TestParsePathBackground              | /background:128:129:130/plain/{plain}   | 200    | 400   | 300
            TestParsePathBackgroundHex           | /background:ffddee/plain/{plain}        | 200    | 400   | 300
            TestParsePathBackgroundDisable       | /background:fff/background:/plain/{plain} | 200  | 400   | 300
            TestParsePathBlur                    | /blur:0.2/plain/{plain}                 | 200    | 400   | 300
            TestParsePathSharpen                 | /sharpen:0.2/plain/{plain}              | 200    | 400   | 300
            TestParsePathDpr                     | /dpr:2/w:100/plain/{plain}              | 200    | 200   | 150
            TestParsePathPreset                  | /preset:test1:test2/s:100:100/plain/{plain} | 200 | 100   | 100
            TestParsePathPresetLoopDetection     | /preset:loop1/s:100:100/plain/{plain}   | 200    | 100   | 100
            TestParsePathCachebuster             | /cachebuster:123/plain/{plain}          | 200    | 400   | 300
            TestParsePathStripMetadata           | /strip_metadata:true/plain/{plain}      | 200    | 400   | 300
            TestParsePathPreserveHDR             | /ph:1/plain/{plain}                     | 200    | 400   | 300
            TestParseExpires                     | /exp:32503669200/plain/{plain}          | 200    | 400   | 300
            TestParseExpiresExpired              | /exp:1609448400/plain/{plain}           | 403    | 0     | 0
            """)
    void processingOptionsTests(String test, String options, int status, int width, int height) throws Exception {
        String plain = "local:///photo.jpg";
        String path = options.replace("{plain}", plain)
                .replace("{base64}", Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8)));
        if (status == 200) {
            decoded(path, width, height);
        } else {
            HttpResponse<byte[]> response = unsafe(path);
            assertEquals(status, response.statusCode(), test + ": " + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest(name = "{0} -> {1}x{2}")
    @CsvSource(delimiter = '|', textBlock = """
            rot:450                      | 300  | 400
            rot:-450                     | 300  | 400
            mw:800                       | 800  | 600
            min-height:600               | 800  | 600
            mw:800/w:100                 | 100  | 600
            z:0.5                        | 200  | 150
            zoom:0.5:0.25                | 200  | 75
            z:2                          | 400  | 300
            z:2/el:1                     | 800  | 600
            dpr:2/w:300                  | 400  | 300
            dpr:2/w:300/el:1             | 600  | 450
            exar:1/rs:fit:300:300        | 300  | 300
            extend_ar:1:no/rs:fit:300:300 | 300 | 300
            rs:fit:0:200/ex:1            | 267  | 200
            rs:fill:100:100:t:t:so       | 100  | 100
            rs:fill:100:100:1:1:so:0:10  | 100  | 100
            s:500:500:0:1:no             | 500  | 500
            rs:fill-down:600:600/ex:1    | 600  | 600
            el:yes/w:800                 | 400  | 300
            el:True/w:800                | 800  | 600
            pd:10                        | 420  | 320
            padding:10:20                | 440  | 320
            pd:1:2:3:4                   | 406  | 304
            dpr:2/pd:10/w:100            | 240  | 190
            fl:1                         | 400  | 300
            c:100                        | 100  | 300
            c:0.5:0.5                    | 200  | 150
            kcr:1/scp:0/eth:1            | 400  | 300
            pix:8/w:100                  | 100  | 75
            """)
    void optionShapesImgproxyAccepts(String options, int width, int height) throws Exception {
        decoded("/" + options + "/plain/local:///photo.jpg", width, height);
        decoded("/" + options + "/plain/local:///photo.jpg@", width, height);
    }

    @ParameterizedTest(name = "{0}: ({3},{4}) is {5}")
    @CsvSource(delimiter = '|', textBlock = """
            # options (400x300 quadrants.png)        | width | height | x   | y   | rgb    | why
            crop:100:200:nowe:10:20                  | 100   | 200    | 5   | 5   | ff0000 | the north-west corner, 10 and 20 in: red
            crop:100:200:nowe:10:20                  | 100   | 200    | 5   | 195 | 0000ff | 150 - 20 = 130 rows of red, then blue
            crop:100:100:ea:50                       | 100   | 100    | 95  | 5   | 00ff00 | east, 50 in: still green at its right edge
            fl:1                                     | 400   | 300    | 10  | 10  | 00ff00 | mirrored left to right: green top left
            fl:0:1                                   | 400   | 300    | 10  | 10  | 0000ff | mirrored top to bottom: blue top left
            pd:10:20/bg:000000                       | 440   | 320    | 5   | 5   | 000000 | the padding is the background
            pd:10:20/bg:000000                       | 440   | 320    | 25  | 15  | ff0000 | the image starts 20 in and 10 down
            rs:fit:500:500/ex:1:so:0:10/bg:000000    | 500   | 500    | 250 | 495 | 000000 | 10 px above the south edge
            rs:fit:500:500/ex:1:so:0:10/bg:000000    | 500   | 500    | 300 | 485 | ffffff | the white quarter right above them
            g:fp:1:1/rs:fill:100:100                 | 100   | 100    | 80  | 80  | ffffff | a focus point at the bottom right keeps the white quarter
            rot:90                                   | 300   | 400    | 10  | 10  | 0000ff | a quarter turn clockwise brings the blue quarter to the top left
            """)
    void gravityOffsetsFlipsAndPaddingPlaceThePixels(String options, int width, int height, int x, int y, String rgb, String why)
            throws Exception {
        BufferedImage image = decoded("/" + options + "/plain/local:///quadrants.png", width, height);
        assertEquals(Integer.parseInt(rgb, 16), image.getRGB(x, y) & 0xffffff, why);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            jpg  | JPEG | 100 | 75
            png  | PNG  | 100 | 75
            webp | WEBP | 100 | 75
            avif | AVIF | 100 | 75
            gif  | GIF  | 100 | 75
            tiff | TIFF | 100 | 75
            bmp  | BMP  | 100 | 75
            jxl  | JXL  | 100 | 75
            ico  | ICO  | 100 | 75
            """)
    void everyFormatImgproxyWritesDecodes(String extension, ImageFormat format, int width, int height) throws Exception {
        HttpResponse<byte[]> response = unsafe("/w:" + width + "/plain/local:///photo.jpg@" + extension);
        if (!WRITTEN.contains(format)) { // sharp's libvips has no BMP, ICO (ImageMagick) or JPEG XL saver
            assertEquals(400, response.statusCode());
            assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("cannot produce '" + extension + "' here"));
            return;
        }
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(format, TestImages.sniff(response.body()));
        assertEquals(format.mimeType(), response.headers().firstValue("content-type").orElseThrow());
        BufferedImage image = TestImages.decode(response.body());
        assertEquals(width + "x" + height, image.getWidth() + "x" + image.getHeight());
    }

    @Test
    void anIconIsAtMost256PixelsASide() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(WRITTEN.contains(ImageFormat.ICO), "this libvips writes no ICO");
        BufferedImage icon = TestImages.decode(unsafe("/plain/local:///photo.jpg@ico").body());
        assertEquals("256x192", icon.getWidth() + "x" + icon.getHeight());
    }

    @Test
    void qualitiesFollowImgproxysDefaultsAndFormatQuality() throws Exception {
        String photo = "/w:200/plain/local:///photo.jpg@webp";
        byte[] byDefault = unsafe(photo).body();
        assertTrue(java.util.Arrays.equals(unsafe("/q:79" + photo).body(), byDefault), "WebP's default quality is imgproxy's 79");
        byte[] low = unsafe("/fq:webp:10:avif:30" + photo).body();
        byte[] lowOverQ = unsafe("/q:95/fq:webp:10" + photo).body();
        assertTrue(low.length < byDefault.length, "fq lowers it");
        assertTrue(java.util.Arrays.equals(low, lowOverQ), "fq for the format wins over q");
        assertTrue(java.util.Arrays.equals(unsafe("/q:90/fq:avif:10" + photo).body(), unsafe("/q:90" + photo).body()),
                "fq for another format changes nothing");
        byte[] jpegByFormat = unsafe("/fq:jpg:20/w:200/plain/local:///photo.jpg").body();
        assertTrue(java.util.Arrays.equals(jpegByFormat, unsafe("/q:20/w:200/plain/local:///photo.jpg").body()),
                "with no format named, fq applies to the source's");
    }

    @Test
    void maxBytesEncodesAgainUntilTheResultFits() throws Exception {
        byte[] whole = unsafe("/q:95/plain/local:///noise.png@jpg").body();
        HttpResponse<byte[]> fitted = unsafe("/q:95/mb:" + whole.length / 3 + "/plain/local:///noise.png@jpg");
        assertEquals(200, fitted.statusCode());
        assertTrue(fitted.body().length <= whole.length / 3, fitted.body().length + " bytes for a budget of " + whole.length / 3);
        decoded("/q:95/mb:" + whole.length / 3 + "/plain/local:///noise.png@jpg", 120, 90);
    }

    @Test
    void skipProcessingServesTheSourceAsItIs() throws Exception {
        byte[] source = Files.readAllBytes(dir.resolve("images/quadrants.png"));
        assertTrue(java.util.Arrays.equals(source, unsafe("/skp:png/w:10/plain/local:///quadrants.png").body()),
                "a PNG source with skp:png is served as it is");
        decoded("/skp:jpg:gif/w:10/plain/local:///quadrants.png", 10, 8);
    }

    /** imgproxy's IMGPROXY_ENABLE_CLIENT_HINTS: DPR and Width set the defaults a URL's own options override. */
    @Test
    void clientHintsSetTheDefaultsWhenOn(@TempDir Path other) throws Exception {
        Files.createDirectories(other.resolve("images"));
        Files.write(other.resolve("images/photo.jpg"), TestImages.jpeg(400, 300));
        try (ImgedgeServer hinted = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), Harness.localNode(other,
                Map.of("imgedge.signing.enabled", false, "imgedge.processing.client_hints", true,
                        "imgedge.processing.auto_formats", List.of()))))) {
            HttpResponse<byte[]> both = Harness.get(hinted, "/unsafe/plain/local:///photo.jpg@png", "DPR", "2", "Width", "200");
            assertEquals("200x150", size(both), "100 CSS pixels at 2x");
            assertTrue(both.headers().firstValue("vary").orElseThrow().contains("sec-ch-width"));
            assertEquals("300x225", size(Harness.get(hinted, "/unsafe/plain/local:///photo.jpg@png", "Sec-CH-Width", "300")));
            assertEquals("100x75", size(Harness.get(hinted, "/unsafe/w:100/dpr:1/plain/local:///photo.jpg@png", "DPR", "2",
                    "Width", "200")), "the URL's own options win");
            assertEquals("400x300", size(Harness.get(hinted, "/unsafe/plain/local:///photo.jpg@png", "DPR", "abc")));
        }
        HttpResponse<byte[]> off = Harness.get(server, "/unsafe/plain/local:///photo.jpg@png", "DPR", "2", "Width", "200");
        assertEquals("400x300", size(off), "off by default");
        assertTrue(!off.headers().firstValue("vary").orElse("").contains("dpr"), "nor does it vary by them");
    }

    /** processing.go shouldSkipStandardProcessing: an SVG asked for as SVG is the source, sanitised, never drawn and relabelled. */
    @Test
    void svgResultsAreTheSanitisedSource(@TempDir Path other) throws Exception {
        HttpResponse<byte[]> svg = unsafe("/w:10/plain/local:///logo.svg@svg");
        assertEquals(200, svg.statusCode(), new String(svg.body(), StandardCharsets.UTF_8));
        assertEquals("image/svg+xml", svg.headers().firstValue("content-type").orElseThrow());
        String text = new String(svg.body(), StandardCharsets.UTF_8);
        assertTrue(text.contains("<rect") && !text.contains("<script"), text);
        assertEquals(ImageFormat.PNG, TestImages.sniff(unsafe("/w:10/plain/local:///logo.svg").body()),
                "with no format named it is drawn (processing.always_rasterize_svg, on by default here)");
        assertEquals(422, unsafe("/plain/local:///photo.jpg@svg").statusCode(), "no SVG is made of a JPEG");
        Files.createDirectories(other.resolve("images"));
        Files.copy(dir.resolve("images/logo.svg"), other.resolve("images/logo.svg"));
        try (ImgedgeServer passing = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), Harness.localNode(other,
                Map.of("imgedge.signing.enabled", false, "imgedge.processing.always_rasterize_svg", false))))) {
            HttpResponse<byte[]> passed = Harness.get(passing, "/unsafe/w:10/plain/local:///logo.svg");
            assertEquals("image/svg+xml", passed.headers().firstValue("content-type").orElseThrow(), "imgproxy's default");
        }
    }

    /** imgproxy's IMGPROXY_PATH_PREFIX on a started node: its paths work under the prefix only. */
    @Test
    void aPathPrefixServesUnderItOnly(@TempDir Path other) throws Exception {
        Files.createDirectories(other.resolve("images"));
        Files.write(other.resolve("images/photo.jpg"), TestImages.jpeg(400, 300));
        try (ImgedgeServer prefixed = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), Harness.localNode(other,
                Map.of("imgedge.signing.enabled", false, "imgedge.server.path_prefix", "/images"))))) {
            assertEquals("100x75", size(Harness.get(prefixed, "/images/unsafe/w:100/plain/local:///photo.jpg@png")));
            assertEquals(200, Harness.get(prefixed, "/images/health").statusCode());
            assertEquals(404, Harness.get(prefixed, "/unsafe/w:100/plain/local:///photo.jpg@png").statusCode());
        }
    }

    static String size(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        BufferedImage image = TestImages.decode(response.body());
        return image.getWidth() + "x" + image.getHeight();
    }

    /** imgproxy's IMGPROXY_ENFORCE_WEBP: Accept earns WebP even over the URL's own format. */
    @Test
    void enforcedFormatsWinOverTheUrlsOwn() throws Exception {
        HttpResponse<byte[]> webp = Harness.get(server, "/unsafe/w:100/plain/local:///photo.jpg@png", "Accept", "image/webp,*/*");
        assertEquals(ImageFormat.WEBP, TestImages.sniff(webp.body()));
        assertEquals("accept", webp.headers().firstValue("vary").orElseThrow().toLowerCase(java.util.Locale.ROOT));
        HttpResponse<byte[]> png = unsafe("/w:100/plain/local:///photo.jpg@png");
        assertEquals(ImageFormat.PNG, TestImages.sniff(png.body()), "a client that does not name WebP gets what the URL says");
        assertEquals("accept", png.headers().firstValue("vary").orElseThrow().toLowerCase(java.util.Locale.ROOT));
    }

    /** handlers/path_test.go: what CDNs and proxies do to paths is undone. */
    @Test
    void pathsACdnNormalisedStillWork() throws Exception {
        decoded("/rs%3Afit%3A100%3A100/plain/local:/photo.jpg", 100, 75);
        decoded("/w%3A50/plain/local:/photo.jpg@png", 50, 38);
    }

    /** processing/watermark.go: where the configured 40x20 magenta watermark lands on the 400x300 quadrants. */
    @ParameterizedTest(name = "{0}: ({1},{2}) is {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # options                | x   | y   | rgb    | why
            w:400                    | 5   | 5   | ff0000 | no wm: the red quarter
            wm:1:nowe                | 5   | 5   | ff00ff | north-west: the watermark
            wm:1:nowe                | 45  | 5   | ff0000 | 40 px wide
            wm:1:soea:10:10          | 370 | 280 | ff00ff | south-east, 10 in
            wm:1:soea:10:10          | 395 | 295 | ffffff | the margin the offsets leave
            wm:1                     | 200 | 150 | ff00ff | the centre by default
            wm:1:ce:0:0:0.5          | 105 | 105 | ff00ff | scaled to half the image: 200x100 in the middle
            wm:1:ce:0:0:0.5          | 95  | 95  | ff0000 | outside it
            wm:1:re                  | 5   | 5   | ff00ff | tiled over everything
            wm:1:re                  | 395 | 295 | ff00ff | tiled over everything
            """)
    void watermarkLandsWhereImgproxyPutsIt(String options, int x, int y, String rgb, String why) throws Exception {
        BufferedImage image = decoded("/" + options + "/plain/local:///quadrants.png@png", 400, 300);
        assertEquals(Integer.parseInt(rgb, 16), image.getRGB(x, y) & 0xffffff, why);
    }

    @Test
    void aWatermarkThatIsNoImageStopsTheStart(@TempDir Path other) {
        Exception e = assertThrows(Exception.class, () -> ImgedgeServer.start(ConfigLoader.load(
                Optional.empty(), Map.of(), Harness.localNode(other, Map.of("imgedge.signing.enabled", false,
                        "imgedge.processing.watermark.data", Base64.getEncoder().encodeToString("not an image".getBytes()))))).close());
        assertTrue(e.getMessage().contains("watermark processing.watermark.data is not a readable image"), e.getMessage());
    }

    @Test
    void watermarkOpacityBlends() throws Exception {
        int half = decoded("/wm:0.5:nowe/plain/local:///quadrants.png@png", 400, 300).getRGB(5, 5);
        assertEquals(0xff, half >> 16 & 0xff, "red stays red");
        assertTrue(Math.abs((half & 0xff) - 128) <= 8, "half of the magenta's blue: " + Integer.toHexString(half));
        BufferedImage spaced = decoded("/wm:1:re:40:20/plain/local:///quadrants.png@jpg", 400, 300);
        int marked = 0;
        for (int x = 0; x < 400; x += 4) {
            marked += (spaced.getRGB(x, 75) & 0xff) > 200 && (spaced.getRGB(x, 75) >> 8 & 0xff) < 60 ? 1 : 0;
        }
        assertTrue(marked > 20 && marked < 80, "tiles with gaps between them along a row: " + marked + " of 100");
    }

    @Test
    void pixelateMakesBlocksOfOneColour() throws Exception {
        BufferedImage plain = decoded("/plain/local:///noise.png", 120, 90);
        assertNotEquals(plain.getRGB(0, 0), plain.getRGB(3, 3), "the source is noise");
        BufferedImage blocks = decoded("/pix:10/plain/local:///noise.png", 120, 90);
        assertEquals(blocks.getRGB(0, 0), blocks.getRGB(9, 9), "one block");
        assertEquals(blocks.getRGB(10, 0), blocks.getRGB(19, 9), "the next block");
    }

    static Optional<String> disposition(String options) throws Exception {
        return unsafe("/" + options + "/w:10/plain/local:///photo.jpg").headers().firstValue("content-disposition");
    }

    @Test
    void filenameAndAttachmentGiveAContentDisposition() throws Exception {
        assertEquals(Optional.empty(), disposition("q:80"), "none unless asked");
        assertEquals(Optional.of("inline; filename=\"cat.png\""), disposition("fn:cat/f:png"));
        assertEquals(Optional.of("attachment; filename=\"photo.jpg\""), disposition("att:1"),
                "the source's name with the result's extension");
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString("kät \"1\"".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of("attachment; filename=\"k_t _1_.jpg\"; filename*=UTF-8''k%C3%A4t%20%221%22.jpg"),
                disposition("fn:" + encoded + ":1/att:1"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            extend:1:sm           | extend:
            ex:1:re               | ex:
            g:sm:10               | g:
            g:fp:0.5              | g:
            g:fp:2:0.5            | g:
            crop:100:200:re       | crop:
            rot:45                | rot:
            z:0                   | z:
            pd:-1                 | pd:
            fn:a*b:1              | fn:
            """)
    void shapesImgproxyRefusesAre400sNamingTheOption(String options, String named) throws Exception {
        HttpResponse<byte[]> response = unsafe("/" + options + "/plain/local:///photo.jpg");
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(400, response.statusCode(), body);
        assertTrue(body.contains(named), body);
    }

    /** processing_test.go TestImageResolutionTooLarge, and the other security options: lower limits for one URL only. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            max_src_resolution:0.00001/plain/local:///geometry.png | 422
            msr:0.01/plain/local:///photo.jpg                      | 422
            msfs:100/plain/local:///photo.jpg                      | 413
            maf:2/plain/local:///anim.gif                          | 422
            mafr:0.001/plain/local:///anim.gif                     | 422
            """)
    void securityOptionsLowerTheLimitsForTheirUrlOnly(String path, int status) throws Exception {
        HttpResponse<byte[]> refused = unsafe("/" + path);
        assertEquals(status, refused.statusCode(), new String(refused.body(), StandardCharsets.UTF_8));
        String source = path.substring(path.indexOf("/plain/"));
        assertEquals(200, unsafe("/w:20" + source).statusCode(), "the source stays usable for other URLs");
    }

    @Test
    void securityOptionsOnlyWhereAllowed() throws Exception {
        decoded("/mrd:50/plain/local:///photo.jpg", 50, 38);
        decoded("/msr:1/maf:10/mafr:1/msfs:10000000/w:40/plain/local:///anim.gif", 40, 27);
    }
}
