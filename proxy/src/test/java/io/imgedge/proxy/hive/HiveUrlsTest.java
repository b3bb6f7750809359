package io.imgedge.proxy.hive;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.proxy.config.HiveConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.ResizingType;
import io.imgedge.proxy.url.Source;
import io.imgedge.vips.ImageFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The imagehoster's proxy.ts and legacy-proxy.ts, read as it reads them. */
class HiveUrlsTest {
    static final HiveConfig CONFIG = config(false);
    static final HiveUrls HIVE = new HiveUrls(CONFIG, 8192);

    static HiveConfig config(boolean partitioned) {
        return ConfigLoader.load(Optional.empty(), Map.of(), Map.of("imgedge.hive.enabled", true, "imgedge.signing.enabled", false,
                "imgedge.hive.service_url", "https://images.hive.blog", "imgedge.hive.own_hosts", List.of("images.ecency.com"),
                "imgedge.hive.storage_partitioning", partitioned)).hive();
    }

    static String b58(String url) {
        return Base58.encode(url.getBytes(StandardCharsets.UTF_8));
    }

    static ProcessingOptions options(String query) {
        return HIVE.parse(b58("https://example.com/a.jpg"), query).options();
    }

    @Test
    void base58RoundTripsAndMatchesKnownVectors() {
        assertEquals("2NEpo7TZRRrLZSi2U", Base58.encode("Hello World!".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("11233QC4", Base58.encode(new byte[]{0, 0, 40, 127, (byte) 180, (byte) 205}));
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && i % 3 == 0) {
                bytes[0] = 0;
            }
            assertArrayEquals(bytes, Base58.decode(Base58.encode(bytes)));
        }
        assertThrows(IllegalArgumentException.class, () -> Base58.decode("0OIl"));
    }

    @Test
    void coverCropsAndEnlargesAsSharpsCoverDoes() {
        ProcessingOptions both = options("width=200&height=100");
        assertEquals(ResizingType.FILL, both.resizingType());
        assertEquals(200, both.width());
        assertTrue(both.enlarge(), "sharp's cover enlarges");
        ProcessingOptions one = options("width=200");
        assertEquals(ResizingType.FIT, one.resizingType(), "one side: scaled to it");
        assertEquals(0, one.height());
        assertTrue(one.enlarge());
    }

    @Test
    void fitNeverEnlargesAndCapsTheSideNotGiven() {
        ProcessingOptions fit = options("width=200&mode=fit");
        assertEquals(ResizingType.FIT, fit.resizingType());
        assertEquals(200, fit.width());
        assertEquals(8000, fit.height());
        assertTrue(!fit.enlarge());
        ProcessingOptions none = options(null);
        assertEquals(ResizingType.FIT, none.resizingType());
        assertEquals(1280, none.width());
        assertEquals(8000, none.height());
    }

    /** proxy.ts: a GIF asked for with fit, no size and format=match is passed through (the legacy /0x0/ form). */
    @Test
    void gifsPassThroughOnlyForFitWithNoSizeInTheirOwnFormat() {
        assertEquals(Set.of(ImageFormat.GIF), options("mode=fit&format=match").adjust().skip());
        assertEquals(Set.of(), options("mode=fit&format=match&width=100").adjust().skip());
        assertEquals(Set.of(), options("format=match").adjust().skip(), "cover is no pass-through");
        assertEquals(Set.of(), options("mode=fit&format=webp").adjust().skip());
    }

    /** Number.parseInt(query.width) || undefined, then capped to max_custom_image_width. */
    @Test
    void sizesAreReadAsParseIntAndCappedNotRefused() {
        assertEquals(100, options("width=100px").width());
        assertEquals(100, options("width=%20100").width());
        assertEquals(0, options("width=abc&height=50").width());
        assertEquals(8000, options("width=99999&height=10").width());
        assertEquals(8000, options("width=99999999999999999999&height=10").width());
        assertEquals(1280, options("width=0&mode=fit").width(), "0 is no size");
        assertEquals(40, options("width=40&width=90").width(), "the first of a repeated parameter");
        assertEquals(400, assertThrows(HttpError.class, () -> options("width=-1")).status());
    }

    @Test
    void formatsAndSuffixes() {
        assertEquals(Optional.of(ImageFormat.WEBP), options("format=webp").format());
        assertEquals(Optional.of(ImageFormat.JPEG), options("format=jpg").format());
        assertEquals(Optional.of(ImageFormat.AVIF), options("format=avif").format(), "ecency's");
        assertEquals(Optional.empty(), options("format=match").format());
        String url = "https://example.com/a.jpg";
        assertEquals(url, HIVE.parse(b58(url) + ".webp", null).source().canonical(), "ecency's suffixes are dropped");
        assertEquals(url, HIVE.parse(b58(url) + ".png", null).source().canonical());
        for (String query : new String[]{"mode=stretch", "format=gif", "width=%zz"}) {
            assertEquals(400, assertThrows(HttpError.class, () -> options(query)).status(), query);
        }
        assertEquals(400, assertThrows(HttpError.class, () -> HIVE.parse("0OIl", null)).status());
        assertEquals(400, assertThrows(HttpError.class, () -> HIVE.parse(b58("ftp://x/y"), null)).status());
    }

    /** Unsigned /p/ URLs once read local files and the store (issue 13): only http(s) sources. */
    @Test
    void onlyWebSourcesAreProxied() {
        for (String source : new String[]{"local:///secret.jpg", "store:///ab/cd/" + "ab".repeat(32) + ".jpg",
                "s3://bucket/key.jpg", "https://images.hive.blog/p/" + b58("local:///secret.jpg")}) {
            HttpError refused = assertThrows(HttpError.class, () -> HIVE.parse(b58(source), "width=10"), source);
            assertEquals(400, refused.status(), source);
        }
    }

    /** proxy.ts resolves double-proxied images only on its own service URL. */
    @Test
    void onlyOurOwnProxyUrlsAreUnwrapped() {
        String inner = "https://example.com/photo.png";
        String once = "https://images.hive.blog/p/" + b58(inner);
        String twice = "https://images.ecency.com/p/" + b58(once) + "?width=10";
        assertEquals(inner, HIVE.parse(b58(twice), "width=50").source().canonical());
        String theirs = "https://images.example.org/p/" + b58(inner);
        assertEquals(theirs, HIVE.parse(b58(theirs), "width=50").source().canonical(),
                "a third party's image that lives at /p/ is fetched as it is");
    }

    /** proxy.ts: an upload of ours is read from the upload store, not fetched over HTTP. */
    @Test
    void ourUploadsAreReadFromTheStore() {
        String key = "DQmb2HNSGKN3pakguJ4ChCRjgkVuDN9WniFRPmrxoJ4sjR4";
        assertEquals(new Source.Stored(key), HIVE.parse(b58("https://images.hive.blog/" + key + "/avatar.png"), null).source());
        assertEquals(new Source.Stored(key), HIVE.parse(b58("https://images.hive.blog/" + key), null).source());
        assertEquals(new Source.Stored("R4/" + key), new HiveUrls(config(true), 8192)
                .parse(b58("https://images.hive.blog/" + key + "/a.png"), null).source(), "partitioned");
        assertTrue(HIVE.parse(b58("https://elsewhere.example/" + key + "/a.png"), null).source() instanceof Source.Remote);
    }

    /** legacy-proxy.ts: 301 to /p/ with format=match&mode=fit, and steemit.com/ipfs/ moved to ipfs.io. */
    @Test
    void legacyPathsMoveToThePForm() {
        String url = "https://example.com/a.jpg";
        assertEquals("/p/" + b58(url) + "?format=match&mode=fit&width=640&height=480", HiveUrls.legacyLocation(640, 480, url));
        assertEquals("/p/" + b58(url) + "?format=match&mode=fit&height=480", HiveUrls.legacyLocation(0, 480, url));
        assertEquals("/p/" + b58(url) + "?format=match&mode=fit", HiveUrls.legacyLocation(0, 0, url));
        assertEquals("/p/" + b58("https://ipfs.io/ipfs/Qmabc") + "?format=match&mode=fit&width=100",
                HiveUrls.legacyLocation(100, 0, "https://steemit.com/ipfs/Qmabc"));
    }
}
