package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.proxy.url.ImgproxySigning;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * imgproxy's URL options, one row per form (aliases, defaults, edge values), each URL signed by
 * an implementation of imgproxy's signing written apart from ours, each result checked by
 * decoding it: format and size. The source is a 400x300 JPEG.
 */
class UrlConformanceIT {
    static final byte[] KEY = HexFormat.of().parseHex("0123456789abcdef0123456789abcdef");
    static final byte[] SALT = HexFormat.of().parseHex("fedcba9876543210");

    @TempDir
    static Path dir;
    static ImgedgeServer server;

    @BeforeAll
    static void start() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("images")).resolve("photo.jpg"), TestImages.jpeg(400, 300));
        server = ImgedgeServer.start(ConfigLoader.load(Optional.empty(), Map.of(), Harness.localNode(dir, Map.of(
                "imgedge.signing.key", HexFormat.of().formatHex(KEY),
                "imgedge.signing.salt", HexFormat.of().formatHex(SALT),
                "imgedge.processing.presets", List.of("small=rs:fill:50:40", "sharp=sh:1/q:90"),
                "imgedge.processing.auto_formats", List.of()))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<byte[]> signed(String path) throws Exception {
        return Harness.get(server, "/" + ImgproxySigning.signature(KEY, SALT, path, 32) + path);
    }

    @ParameterizedTest(name = "{0}{1} -> {2} {3}x{4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # options                                | suffix | format | width | height
            rs:fit:100:100                           | -      | JPEG   | 100   | 75
            resize:fit:100:100                       | -      | JPEG   | 100   | 75
            rs:fit:100                               | -      | JPEG   | 100   | 75
            rs:fill:100:100                          | -      | JPEG   | 100   | 100
            rs:fill:100:0                            | -      | JPEG   | 100   | 75
            rs:fill-down:800:600                     | -      | JPEG   | 400   | 300
            rs:fill-down:800:400                     | -      | JPEG   | 400   | 200
            rs:fill-down:100:50                      | -      | JPEG   | 100   | 50
            rs:force:100:100                         | -      | JPEG   | 100   | 100
            rs:auto:200:100                          | -      | JPEG   | 200   | 100
            rs:auto:100:200                          | -      | JPEG   | 100   | 75
            rs:fit:800:800                           | -      | JPEG   | 400   | 300
            rs:fit:800:800:1                         | -      | JPEG   | 800   | 600
            rs:fit:800:800:0:1                       | -      | JPEG   | 800   | 800
            rs:fit:800:800:true:false                | -      | JPEG   | 800   | 600
            s:100:50                                 | -      | JPEG   | 67    | 50
            size:100:50:1                            | -      | JPEG   | 67    | 50
            size:800:800:0:1                         | -      | JPEG   | 800   | 800
            w:100                                    | -      | JPEG   | 100   | 75
            width:100                                | -      | JPEG   | 100   | 75
            h:60                                     | -      | JPEG   | 80    | 60
            height:60                                | -      | JPEG   | 80    | 60
            w:0/h:0                                  | -      | JPEG   | 400   | 300
            rt:fill/w:100/h:100                      | -      | JPEG   | 100   | 100
            resizing_type:force/w:50/h:80            | -      | JPEG   | 50    | 80
            w:100/dpr:2                              | -      | JPEG   | 200   | 150
            dpr:2/rs:fill:50:40                      | -      | JPEG   | 100   | 80
            w:1000/el:1                              | -      | JPEG   | 1000  | 750
            w:1000/enlarge:1                         | -      | JPEG   | 1000  | 750
            w:1000/el:0                              | -      | JPEG   | 400   | 300
            rs:fit:800:800/ex:1                      | -      | JPEG   | 800   | 800
            rs:fit:800:800/extend:1:no               | -      | JPEG   | 800   | 800
            rs:fit:800:800/ex:0                      | -      | JPEG   | 400   | 300
            c:200:100/rs:fit:100:100                 | -      | JPEG   | 100   | 50
            crop:0.5:0.5                             | -      | JPEG   | 200   | 150
            c:200:100:nowe                           | -      | JPEG   | 200   | 100
            c:1000:1000                              | -      | JPEG   | 400   | 300
            g:sm/rs:fill:100:100                     | -      | JPEG   | 100   | 100
            gravity:fp:0.2:0.8/rs:fill:100:100       | -      | JPEG   | 100   | 100
            g:noea/rs:fill:100:50                    | -      | JPEG   | 100   | 50
            g:so/rs:fill:50:100                      | -      | JPEG   | 50    | 100
            rot:90/w:100                             | -      | JPEG   | 100   | 133
            rotate:180/w:100                         | -      | JPEG   | 100   | 75
            rot:270/rs:fill:100:50                   | -      | JPEG   | 100   | 50
            bl:2/w:100                               | -      | JPEG   | 100   | 75
            blur:0.5/w:100                           | -      | JPEG   | 100   | 75
            sh:1/w:100                               | -      | JPEG   | 100   | 75
            sharpen:0.5/w:100                        | -      | JPEG   | 100   | 75
            bg:255:0:0/w:100                         | -      | JPEG   | 100   | 75
            background:ff0000/w:100                  | -      | JPEG   | 100   | 75
            ar:0/w:100                               | -      | JPEG   | 100   | 75
            auto_rotate:1/w:100                      | -      | JPEG   | 100   | 75
            sm:0/w:100                               | -      | JPEG   | 100   | 75
            strip_metadata:1/w:100                   | -      | JPEG   | 100   | 75
            q:50/w:100                               | -      | JPEG   | 100   | 75
            quality:1/w:100                          | -      | JPEG   | 100   | 75
            cb:abc/w:100                             | -      | JPEG   | 100   | 75
            cachebuster:x/w:100                      | -      | JPEG   | 100   | 75
            exp:4102444800/w:100                     | -      | JPEG   | 100   | 75
            expires:4102444800/w:100                 | -      | JPEG   | 100   | 75
            pr:small                                 | -      | JPEG   | 50    | 40
            preset:small/w:60                        | -      | JPEG   | 60    | 40
            pr:small:sharp                           | -      | JPEG   | 50    | 40
            f:png/w:100                              | -      | PNG    | 100   | 75
            format:webp/w:100                        | -      | WEBP   | 100   | 75
            ext:gif/w:100                            | -      | GIF    | 100   | 75
            f:jpeg/w:100                             | -      | JPEG   | 100   | 75
            w:100                                    | @png   | PNG    | 100   | 75
            w:100                                    | @webp  | WEBP   | 100   | 75
            w:100                                    | @avif  | AVIF   | 100   | 75
            w:100                                    | @jpg   | JPEG   | 100   | 75
            f:png/w:100                              | @webp  | WEBP   | 100   | 75
            raw:1/w:10                               | -      | JPEG   | 400   | 300
            """)
    void optionForms(String options, String suffix, ImageFormat format, int width, int height) throws Exception {
        String path = "/" + options + "/plain/local:///photo.jpg" + (suffix == null ? "" : suffix);
        UrlApiIT.image(signed(path), format, width, height);
    }

    @ParameterizedTest(name = "{0}{1} (base64 source) -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            rs:fit:100:100 | .png  | PNG
            rs:fit:100:100 | .webp | WEBP
            rs:fit:100:100 | ''    | JPEG
            """)
    void base64Sources(String options, String extension, ImageFormat format) throws Exception {
        String source = Base64.getUrlEncoder().withoutPadding().encodeToString("local:///photo.jpg".getBytes(StandardCharsets.UTF_8));
        UrlApiIT.image(signed("/" + options + "/" + source + extension), format, 100, 75);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            bogus:1                | 400 | 'bogus'
            rs:bogus:1:1           | 400 | rs:
            resize:fit:1:1:1:1:ce:0:0:9 | 400 | resize:
            w:-1                   | 400 | w:
            width:abc              | 400 | width:
            q:101                  | 400 | q:
            g:xx                   | 400 | g:
            rot:45                 | 400 | rot:
            dpr:0                  | 400 | dpr:
            bl:-1                  | 400 | bl:
            bg:300:0:0             | 400 | bg:
            f:heic                 | 400 | 'heic'
            pr:nope                | 400 | 'nope'
            c:abc                  | 400 | c:
            exp:1                  | 403 | expired
            """)
    void badOptionsAreNamed(String options, int status, String named) throws Exception {
        HttpResponse<byte[]> response = signed("/" + options + "/plain/local:///photo.jpg");
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(status, response.statusCode(), body);
        assertTrue(body.contains(named), "the error names it: " + body);
        assertEquals("no-store", response.headers().firstValue("cache-control").orElseThrow());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a signature of another path        | /w:101/plain/local:///photo.jpg
            a signature cut short              | /w:102/plain/local:///photo.jpg
            """)
    void signaturesThatDoNotMatchAreRefused(String what, String path) throws Exception {
        String good = ImgproxySigning.signature(KEY, SALT, path, 32);
        String bad = what.contains("another") ? ImgproxySigning.signature(KEY, SALT, path + "x", 32) : good.substring(0, 20);
        assertEquals(403, Harness.get(server, "/" + bad + path).statusCode(), what);
        assertEquals(200, Harness.get(server, "/" + good + path).statusCode(), "the right one passes");
    }
}
