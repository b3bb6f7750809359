package io.imgedge.proxy.url;

import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.config.SigningConfig;
import io.imgedge.proxy.config.SourcesConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * imgproxy's URL forms and settings: the cases of {@code options/parser/processing_options_test.go}
 * that need a setting (base URL, replacements, arguments separator, base64 file names, presets-only
 * URLs, allowed options) and of {@code handlers/path_test.go} (paths that CDNs "normalised"),
 * named after the imgproxy tests.
 */
class ImgproxyUrlFormsTest {
    static final String ORIGIN = "http://images.dev/lorem/ipsum.jpg?param=value";
    static final ProcessingConfig.Urls DEFAULTS = ProcessingConfig.Urls.IMGPROXY;

    static ProcessingUrlParser parser(ProcessingConfig.Urls urls, SourcesConfig.Rewrite rewrite, Map<String, List<String>> presets) {
        return new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(false, List.of())), 8192, presets, urls, rewrite,
                Set.of(ImageFormat.values()));
    }

    static String base64(String url) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(url.getBytes(StandardCharsets.UTF_8));
    }

    static URI uri(ProcessingRequest request) {
        return ((Source.Remote) request.source()).uri();
    }

    @Test
    void testParseBase64URLWithFilename() {
        ProcessingConfig.Urls withName = new ProcessingConfig.Urls(":", true, false, Set.of(), false);
        ProcessingRequest r = parser(withName, SourcesConfig.Rewrite.NONE, Map.of())
                .parse("/_/size:100:100/" + base64(ORIGIN) + ".png/puppy.jpg");
        assertEquals(URI.create(ORIGIN), uri(r));
        assertEquals(Optional.of(ImageFormat.PNG), r.options().format());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            TestParseBase64URLWithBase     | /size:100:100/{base64}.png
            TestParsePlainURLWithBase      | /size:100:100/plain/lorem/ipsum.jpg?param=value@png
            TestParsePlainURLEscapedWithBase | /size:100:100/plain/lorem%2Fipsum.jpg%3Fparam%3Dvalue@png
            """)
    void baseUrl(String test, String path) {
        SourcesConfig.Rewrite base = new SourcesConfig.Rewrite("http://images.dev/", List.of());
        ProcessingRequest r = parser(DEFAULTS, base, Map.of()).parse("/_" + path.replace("{base64}", base64("lorem/ipsum.jpg?param=value")));
        assertEquals(URI.create(ORIGIN), uri(r), test);
        assertEquals(Optional.of(ImageFormat.PNG), r.options().format(), test);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            TestParseBase64URLWithReplacement | /size:100:100/{base64}.png
            TestParsePlainURLWithReplacement  | /size:100:100/plain/test://lorem/ipsum.jpg?param=value@png
            """)
    void urlReplacements(String test, String path) {
        SourcesConfig.Rewrite replacements = new SourcesConfig.Rewrite("", List.of(
                new SourcesConfig.Replacement(Pattern.compile("^test://([^/]*)/"), "test2://images.dev/$1/dolor/"),
                new SourcesConfig.Replacement(Pattern.compile("^test2://"), "http://")));
        ProcessingRequest r = parser(DEFAULTS, replacements, Map.of())
                .parse("/_" + path.replace("{base64}", base64("test://lorem/ipsum.jpg?param=value")));
        assertEquals(URI.create("http://images.dev/lorem/dolor/ipsum.jpg?param=value"), uri(r), test);
    }

    @Test
    void testParseWithArgumentsSeparator() {
        ProcessingConfig.Urls comma = new ProcessingConfig.Urls(",", false, false, Set.of(), false);
        ProcessingOptions o = parser(comma, SourcesConfig.Rewrite.NONE, Map.of())
                .parse("/_/size,100,100,1/plain/http://images.dev/lorem/ipsum.jpg").options();
        assertEquals(100, o.width());
        assertEquals(100, o.height());
        assertEquals(true, o.enlarge());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            TestParsePathOnlyPresets      | /test1:test2/plain/http://images.dev/lorem/ipsum.jpg?param=value@png
            TestParseBase64URLOnlyPresets | /test1:test2/{base64}.png
            """)
    void onlyPresets(String test, String path) {
        ProcessingConfig.Urls only = new ProcessingConfig.Urls(":", false, true, Set.of(), false);
        ProcessingRequest r = parser(only, SourcesConfig.Rewrite.NONE,
                Map.of("test1", List.of("blur:0.2"), "test2", List.of("quality:50")))
                .parse("/_" + path.replace("{base64}", base64(ORIGIN)));
        assertEquals(0.2, r.options().adjust().effects().blur(), test);
        assertEquals(50, r.options().quality(), test);
        assertEquals(Optional.of(ImageFormat.PNG), r.options().format(), test);
        assertEquals(URI.create(ORIGIN), uri(r), test);
    }

    @ParameterizedTest(name = "TestParseAllowedOptions {0}")
    @CsvSource(delimiter = '|', textBlock = """
            w:100/h:200                | ''
            w:100/h:200/blur:10        | forbidden processing option blur
            w:100/h:200/pr:test1       | ''
            w:100/h:200/pr:test1/blur:10 | forbidden processing option blur
            """)
    void testParseAllowedOptions(String options, String error) {
        ProcessingConfig.Urls allowed = new ProcessingConfig.Urls(":", false, false, Set.of("w", "h", "pr"), false);
        ProcessingUrlParser p = parser(allowed, SourcesConfig.Rewrite.NONE, Map.of("test1", List.of("blur:0.2")));
        String path = "/_/" + options + "/" + base64(ORIGIN) + ".png";
        if (error.isEmpty()) {
            p.parse(path);
        } else {
            HttpError e = assertThrows(HttpError.class, () -> p.parse(path));
            assertEquals(403, e.status());
            assertEquals(error, e.getMessage());
        }
    }

    /** handlers/path_test.go TestParsePath, the repairs (the path after the signature). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            BasicPath                                | rs:fill:300:200/plain/http://example.com/image.jpg        | rs:fill:300:200/plain/http://example.com/image.jpg
            PathWithPlainUrlRedenormalization        | rs:fill:300:200/plain/https:/example.com/path/to/image.jpg | rs:fill:300:200/plain/https://example.com/path/to/image.jpg
            PathWithOptionsSeparatorUnescapingPLain  | rs%3Afill%3A300%3A200/plain/https://example.com/path/to/image.jpg | rs:fill:300:200/plain/https://example.com/path/to/image.jpg
            PathWithOptionsSeparatorUnescapingBas64  | rs%3Afill%3A300%3A200/abc/abc                              | rs:fill:300:200/abc/abc
            local sources keep their three slashes   | w:10/plain/local:/photo.jpg                                | w:10/plain/local:///photo.jpg
            a source without options                 | plain/http:/example.com/a.jpg                              | plain/http://example.com/a.jpg
            a colon later in the URL stays           | plain/https://example.com/a:/b.jpg                         | plain/https://example.com/a:/b.jpg
            """)
    void testParsePath(String name, String path, String repaired) {
        assertEquals(repaired, ProcessingUrlParser.repaired(path), name);
    }

    @ParameterizedTest(name = "TestParsePathClientHints {0}")
    @CsvSource(delimiter = '|', textBlock = """
            NoClientHints | 0   | 0 | 0   | 1.0
            WidthOnly     | 100 | 0 | 100 | 1.0
            DprOnly       | 0   | 2 | 0   | 2.0
            WidthAndDpr   | 100 | 2 | 50  | 2.0
            """)
    void testParsePathClientHints(String name, int hintWidth, double hintDpr, int width, double dpr) {
        ProcessingOptions o = parser(DEFAULTS, SourcesConfig.Rewrite.NONE, Map.of())
                .parse("/_/plain/http://images.dev/lorem/ipsum.jpg@png", new ClientHints(hintDpr, hintWidth)).options();
        assertEquals(width, o.width(), name);
        assertEquals(dpr, o.adjust().layout().dpr(), 1e-9, name);
    }

    @Test
    void testParsePathClientHintsRedefine() {
        ProcessingOptions o = parser(DEFAULTS, SourcesConfig.Rewrite.NONE, Map.of())
                .parse("/_/width:150/dpr:3.0/plain/http://images.dev/lorem/ipsum.jpg@png", new ClientHints(2, 100)).options();
        assertEquals(150, o.width());
        assertEquals(3.0, o.adjust().layout().dpr(), 1e-9);
    }

    @Test
    void clientHintHeadersAsImgproxyReadsThem() {
        assertEquals(new ClientHints(2, 300), ClientHints.of("2", "3", "300", "400"), "Sec-CH- first");
        assertEquals(new ClientHints(3, 400), ClientHints.of(null, "3", null, "400"));
        assertEquals(new ClientHints(3, 0), ClientHints.of("abc", "3", "-5", "x"), "what does not parse is ignored");
        assertEquals(ClientHints.NONE, ClientHints.of("9", null, null, null), "a ratio over 8 is ignored");
        assertEquals(ClientHints.NONE, ClientHints.of(null, null, null, null));
    }

    @Test
    void theSignatureIsOfTheRepairedPath() {
        byte[] key = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        byte[] salt = "fedcba98".getBytes(StandardCharsets.UTF_8);
        ProcessingUrlParser signed = new ProcessingUrlParser(new SignatureVerifier(new SigningConfig(true,
                List.of(new SigningConfig.KeyPair(key, salt)))), 8192, Map.of());
        String path = "/rs:fill:300:200/plain/https://example.com/image.jpg";
        String signature = ImgproxySigning.signature(key, salt, path, 32);
        ProcessingRequest r = signed.parse("/" + signature + "/rs%3Afill%3A300%3A200/plain/https:/example.com/image.jpg");
        assertEquals(URI.create("https://example.com/image.jpg"), uri(r));
        assertEquals(300, r.options().width());
    }
}
