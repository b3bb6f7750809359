package io.imgedge.proxy.url;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HiveUrlsTest {
    static final HiveUrls HIVE = new HiveUrls(8192);

    static String b58(String url) {
        return Base58.encode(url.getBytes(StandardCharsets.UTF_8));
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
    void modesFormatsAndTheDefaultCap() {
        String url = "https://example.com/a.jpg";
        ProcessingOptions cover = HIVE.parse(b58(url), "width=200&height=100").options();
        assertEquals(ResizingType.FILL, cover.resizingType());
        assertEquals(200, cover.width());
        assertEquals(Optional.empty(), cover.format());
        assertEquals(ResizingType.FIT, HIVE.parse(b58(url), "width=200&height=100&mode=fit").options().resizingType());
        assertEquals(ResizingType.FIT, HIVE.parse(b58(url), "width=200").options().resizingType(), "one side: nothing to crop");
        ProcessingOptions none = HIVE.parse(b58(url), null).options();
        assertEquals(ResizingType.FIT, none.resizingType());
        assertEquals(1280, none.width());
        assertEquals(8000, none.height());
        assertEquals(Optional.of(ImageFormat.WEBP), HIVE.parse(b58(url), "format=webp").options().format());
        assertEquals(Optional.of(ImageFormat.JPEG), HIVE.parse(b58(url), "format=jpeg").options().format());
        assertEquals(url, HIVE.parse(b58(url), "").source().canonical());
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

    @Test
    void nestedProxyUrlsAreUnwrapped() {
        String inner = "https://example.com/photo.png";
        String once = "https://images.hive.blog/p/" + b58(inner);
        String twice = "https://images.example.org/p/" + b58(once) + "?width=10";
        assertEquals(inner, HIVE.parse(b58(twice), "width=50").source().canonical());
    }

    @Test
    void badInputIs400() {
        String url = b58("https://example.com/a.jpg");
        for (String query : new String[]{"width=abc", "width=-1", "height=99999", "mode=stretch", "format=gif", "width=%zz"}) {
            assertEquals(400, assertThrows(HttpError.class, () -> HIVE.parse(url, query)).status(), query);
        }
        assertEquals(400, assertThrows(HttpError.class, () -> HIVE.parse("0OIl", null)).status());
        assertEquals(400, assertThrows(HttpError.class, () -> HIVE.parse(b58("ftp://x/y"), null)).status());
    }

    @Test
    void legacyPathsMoveToThePForm() {
        String url = "https://example.com/a.jpg";
        assertEquals("/p/" + b58(url) + "?width=640&height=480", HiveUrls.legacyLocation(640, 480, url));
        assertEquals("/p/" + b58(url) + "?height=480", HiveUrls.legacyLocation(0, 480, url));
        assertEquals("/p/" + b58(url), HiveUrls.legacyLocation(0, 0, url));
    }
}
