package io.imgedge.proxy.url;

import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.config.SigningConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.TransformSpec.Gravity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessingUrlParserTest {
    static final SigningConfig.KeyPair DOC_PAIR = new SigningConfig.KeyPair(
            HexFormat.of().parseHex("736563726574"), HexFormat.of().parseHex("68656C6C6F"));
    static final ProcessingUrlParser UNSIGNED =
            new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(false, List.of())), 8192, Map.of());
    static final ProcessingUrlParser SIGNED =
            new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(true, List.of(DOC_PAIR))), 8192, Map.of());

    @Test
    void imgproxyDocumentationExampleVerifies() {
        // The example from imgproxy's signing documentation: key "secret", salt "hello".
        String path = "/rs:fill:300:400:0/g:sm/aHR0cDovL2V4YW1w/bGUuY29tL2ltYWdl/cy9jdXJpb3NpdHku/anBn.png";
        ProcessingRequest request = SIGNED.parse("/oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8" + path);
        assertEquals(new ProcessingOptions(ResizingType.FILL, 300, 400, false, Gravity.SMART, 0,
                Optional.of(ImageFormat.PNG)), request.options());
        assertEquals(new Source.Remote(URI.create("http://example.com/images/curiosity.jpg")), request.source());
    }

    @Test
    void badSignaturesAreForbidden() {
        String path = "/rs:fill:300:400:0/plain/http://example.com/a.jpg";
        for (String signature : new String[]{"insecure", "_", "oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8", "!!"}) {
            HttpError e = assertThrows(HttpError.class, () -> SIGNED.parse("/" + signature + path));
            assertEquals(403, e.status());
        }
        assertEquals(403, assertThrows(HttpError.class, () -> SIGNED.parse(
                "/" + SignatureVerifier.signature(DOC_PAIR, path) + path.replace("300", "301"))).status());
        SIGNED.parse("/" + SignatureVerifier.signature(DOC_PAIR, path) + path);
    }

    @Test
    void rotationAcceptsEveryConfiguredPair() {
        SigningConfig.KeyPair current = new SigningConfig.KeyPair("k2".getBytes(StandardCharsets.UTF_8), "s2".getBytes(StandardCharsets.UTF_8));
        var parser = new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(true, List.of(current, DOC_PAIR))), 8192, Map.of());
        String path = "/w:10/plain/local:///a.jpg";
        parser.parse("/" + SignatureVerifier.signature(current, path) + path);
        parser.parse("/" + SignatureVerifier.signature(DOC_PAIR, path) + path);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/rs:fit:300:200/plain/local:///a.jpg             | FIT   | 300 | 200 | false | CENTRE | 0  | ",
            "/resize:fill:300:200:1/plain/local:///a.jpg      | FILL  | 300 | 200 | true  | CENTRE | 0  | ",
            "/rs:force:300/plain/local:///a.jpg               | FORCE | 300 | 0   | false | CENTRE | 0  | ",
            "/s:100:50/rt:fill/plain/local:///a.jpg           | FILL  | 100 | 50  | false | CENTRE | 0  | ",
            "/size:100::t/plain/local:///a.jpg                | FIT   | 100 | 0   | true  | CENTRE | 0  | ",
            "/w:10/h:20/el:1/g:sm/q:55/plain/local:///a.jpg   | FIT   | 10  | 20  | true  | SMART  | 55 | ",
            "/width:10/height:20/enlarge:false/plain/local:///a.jpg | FIT | 10 | 20 | false | CENTRE | 0 | ",
            "/resizing_type:force/gravity:ce/quality:1/plain/local:///a.jpg | FORCE | 0 | 0 | false | CENTRE | 1 | ",
            "/f:webp/plain/local:///a.jpg                     | FIT   | 0   | 0   | false | CENTRE | 0  | WEBP",
            "/format:png/plain/local:///a.jpg@avif            | FIT   | 0   | 0   | false | CENTRE | 0  | AVIF",
            "/ext:jpeg/plain/local:///a.jpg                   | FIT   | 0   | 0   | false | CENTRE | 0  | JPEG",
            "/w:100/w:200/plain/local:///a.jpg                | FIT   | 200 | 0   | false | CENTRE | 0  | ",
            "/plain/local:///a.jpg@gif                        | FIT   | 0   | 0   | false | CENTRE | 0  | GIF",
    })
    void optionForms(String path, ResizingType type, int w, int h, boolean enlarge, Gravity gravity, int q, String format) {
        ProcessingOptions options = UNSIGNED.parse("/_" + path.strip()).options();
        assertEquals(new ProcessingOptions(type, w, h, enlarge, gravity, q,
                Optional.ofNullable(format).map(ImageFormat::valueOf)), options);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/nope:1/plain/local:///a.jpg      | unknown option 'nope'",
            "/w:abc/plain/local:///a.jpg       | w: 'abc' is not a whole number",
            "/w:9000/plain/local:///a.jpg      | w: 9000 is out of range",
            "/w:-1/plain/local:///a.jpg        | w: -1 is out of range",
            "/q:101/plain/local:///a.jpg       | q: 101 is out of range",
            "/rs:zoom:1:1/plain/local:///a.jpg | rs: unsupported resizing type 'zoom'",
            "/rs:fit:1:1:1:1:ce:0:0:9/plain/local:///a.jpg | rs: expects 1 to 8 argument(s)",
            "/rs:fit:1:1:1:1:1/plain/local:///a.jpg | rs: unsupported gravity '1'",
            "/el:1:0/plain/local:///a.jpg      | el: expects 1 argument(s)",
            "/g:xx/plain/local:///a.jpg        | g: unsupported gravity 'xx'",
            "/c:abc/plain/local:///a.jpg       | c: 'abc' is not a number",
            "/c:1:1:ce:1:2:3/plain/local:///a.jpg | c: expects 1 to 5 argument(s)",
            "/c:10:10:up/plain/local:///a.jpg  | c: unsupported gravity 'up'",
            "/ex:1:sm/plain/local:///a.jpg     | ex: unsupported gravity 'sm'",
            "/mrd:100/plain/local:///a.jpg     | mrd: security options are not allowed",
            "/f:heic/plain/local:///a.jpg      | format: cannot produce 'heic'",
            "/plain/local:///a.jpg@xyz         | format: cannot produce 'xyz'",
            "/fq:webp/plain/local:///a.jpg     | fq: expects format:quality pairs",
            "/fq:nope:50/plain/local:///a.jpg  | fq: invalid image format 'nope'",
            "/skp:jpg:bad/plain/local:///a.jpg | skp: invalid image format 'bad'",
            "/w:10                             | path has no source URL",
            "/w:10/plain/                      | empty source URL",
            "/plain/ftp://example.com/a.jpg    | unsupported source URL scheme 'ftp'",
            "/plain/http://exa%zzmple.com/a.jpg | invalid percent-encoding",
            "/bm90IHV0Zjj/8=                   | not valid",
            "/plain/http:///a.jpg              | source URL has no host",
            "/plain/s3://bucket                | s3 sources look like s3://bucket/key",
    })
    void badUrlsAre400NamingTheProblem(String path, String message) {
        HttpError e = assertThrows(HttpError.class, () -> UNSIGNED.parse("/_" + path.strip()));
        assertEquals(400, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(message.strip()), e.getMessage());
    }

    @Test
    void sourceForms() {
        assertEquals(new Source.Remote(URI.create("http://example.com/a%20b.jpg?x=1")),
                UNSIGNED.parse("/_/w:1/plain/http://example.com/a%2520b.jpg%3Fx%3D1").source());
        assertEquals(new Source.S3Object("photos", "2024/a.jpg"), UNSIGNED.parse("/_/plain/s3://photos/2024/a.jpg").source());
        assertEquals(new Source.LocalFile("dir/a.jpg"), UNSIGNED.parse("/_/plain/local:///dir/a.jpg").source());
        String encoded = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("https://example.com/p/q.png".getBytes(StandardCharsets.UTF_8));
        ProcessingRequest split = UNSIGNED.parse("/_/w:5/" + encoded.substring(0, 10) + "/" + encoded.substring(10) + ".webp");
        assertEquals(new Source.Remote(URI.create("https://example.com/p/q.png")), split.source());
        assertEquals(Optional.of(ImageFormat.WEBP), split.options().format());
        // a userinfo '@' is not an extension separator
        assertEquals(new Source.Remote(URI.create("http://user@example.com/a.jpg")),
                UNSIGNED.parse("/_/plain/http://user@example.com/a.jpg").source());
    }

    @Test
    void localPathsCannotEscape() {
        for (String path : new String[]{"/_/plain/local:///../etc/passwd", "/_/plain/local:///a/%2e%2e/%2e%2e/etc/passwd",
                "/_/plain/local:////etc/passwd"}) {
            assertEquals(403, assertThrows(HttpError.class, () -> UNSIGNED.parse(path)).status(), path);
        }
    }

    @Test
    void adjustmentsPresetsAndTheirErrors() {
        Map<String, List<String>> presets = Map.of("default", List.of("q:70", "sm:0"), "thumb", List.of("rs:fill:150:150", "pr:sharp"),
                "sharp", List.of("sh:0.5"));
        ProcessingUrlParser parser = new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(false, List.of())), 8192,
                presets);
        ProcessingOptions plain = parser.parse("/_/w:10/plain/local:///a.jpg").options();
        assertEquals(70, plain.quality(), "the default preset applies first");
        assertEquals(Optional.of(false), plain.adjust().stripMetadata());
        ProcessingOptions thumb = parser.parse("/_/pr:thumb/q:90/plain/local:///a.jpg").options();
        assertEquals(ResizingType.FILL, thumb.resizingType());
        assertEquals(150, thumb.width());
        assertEquals(0.5, thumb.adjust().effects().sharpen(), "presets can name presets");
        assertEquals(90, thumb.quality(), "later options win");

        ProcessingOptions o = UNSIGNED.parse("/_/dpr:2/ar:0/rot:-90/bl:1.5/bg:ff8000/cb:123/exp:4102444800/raw:1/rt:auto"
                + "/plain/local:///a.jpg").options();
        assertEquals(2.0, o.adjust().layout().dpr());
        assertEquals(new TransformSpec.Effects(false, 270, 1.5, 0, Optional.of(new TransformSpec.Rgb(255, 128, 0))),
                o.adjust().effects());
        assertEquals(4102444800L, o.adjust().expires());
        assertEquals("123", o.adjust().cachebuster());
        assertTrue(o.adjust().raw());
        assertEquals(ResizingType.AUTO, o.resizingType());
        assertEquals(Optional.of(new TransformSpec.Rgb(1, 2, 3)),
                UNSIGNED.parse("/_/background:1:2:3/plain/local:///a.jpg").options().adjust().effects().background());
        assertEquals(ProcessingOptions.Adjustments.NONE, UNSIGNED.parse("/_/w:1/plain/local:///a.jpg").options().adjust());

        for (String bad : new String[]{"rot:45", "bg:zzzzzz", "bg:1:2", "bg:1:2:300", "pr:nope", "dpr:0", "dpr:x", "bl:-1",
                "exp:soon", "rt:fill-up", "ex:1:sm", "ex:1:re", "g:re", "c:100:200:re", "g:fp:0.5", "g:sm:1"}) {
            HttpError e = assertThrows(HttpError.class, () -> UNSIGNED.parse("/_/" + bad + "/plain/local:///a.jpg"), bad);
            assertEquals(400, e.status(), bad);
            assertTrue(e.getMessage().startsWith(bad.substring(0, bad.indexOf(':') + 1)),
                    "names the option: " + e.getMessage());
        }
        TransformSpec.Effects cropped = UNSIGNED.parse("/_/g:nowe/c:0.5:200/ex:1:so/plain/local:///a.jpg").options()
                .adjust().effects();
        assertEquals(Optional.of(new TransformSpec.Crop(0.5, 200, Optional.empty())), cropped.crop(),
                "the crop takes the gravity option when it names none");
        assertEquals(Optional.of(TransformSpec.Anchor.of(Gravity.SOUTH)), cropped.extend());
        assertEquals(Optional.of(TransformSpec.Anchor.of(Gravity.CENTRE)),
                UNSIGNED.parse("/_/rs:fit:10:10:0:1/plain/local:///a.jpg").options().adjust().effects().extend());
        assertEquals(Gravity.SOUTH_EAST, UNSIGNED.parse("/_/g:soea/plain/local:///a.jpg").options().gravity());
    }

    /** imgproxy's TestParsePathPresetLoopDetection: a preset naming one being applied is skipped, not an error. */
    @Test
    void imgproxyPresetLoopDetection() {
        Map<String, List<String>> loop = Map.of("test1", List.of("resizing_type:fill", "preset:test2"),
                "test2", List.of("blur:0.2", "preset:test1"));
        ProcessingUrlParser.checkPresets(8192, loop, ProcessingConfig.Urls.IMGPROXY);
        ProcessingOptions o = new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(false, List.of())), 8192, loop)
                .parse("/_/preset:test1/plain/http://images.dev/lorem/ipsum.jpg").options();
        assertEquals(ResizingType.FILL, o.resizingType());
        assertEquals(0.2, o.adjust().effects().blur());
    }

    @Test
    void independentlySignedUrlsVerifyAtEverySignatureSize() {
        List<String> paths = List.of("/rs:fill:300:400:0/g:sm/plain/http://example.com/a.jpg@webp",
                "/w:100/h:50/q:70/plain/local:///dir/b%20c.png", "/pr:thumb/plain/s3://bucket/k.jpg",
                "/rs:fit:10:10/aHR0cDovL2V4YW1wbGUuY29tL2EuanBn.png");
        for (int size : new int[]{32, 16, 8, 1}) {
            ProcessingUrlParser parser = new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(true,
                    List.of(DOC_PAIR), size)), 8192, Map.of("thumb", List.of("w:10")));
            for (String path : paths) {
                String signature = ImgproxySigning.signature(DOC_PAIR.key(), DOC_PAIR.salt(), path, size);
                parser.parse("/" + signature + path);
                if (size < 32) {
                    String full = ImgproxySigning.signature(DOC_PAIR.key(), DOC_PAIR.salt(), path, 32);
                    assertEquals(403, assertThrows(HttpError.class, () -> parser.parse("/" + full + path)).status(),
                            "only signatures of the configured size");
                }
            }
        }
    }
}
