package io.imgedge.proxy.hive;

import io.imgedge.proxy.url.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The imagehoster's blacklist.ts, with the cases of its test/proxy.ts. */
class HiveBlacklistTest {
    @TempDir
    Path dir;

    /** proxy.ts "should block blacklisted bare hash in path segments". */
    @Test
    void shouldBlockBlacklistedBareHashInPathSegments() {
        HiveBlacklist list = new HiveBlacklist(Set.of("DQmeLKjpW89de2DqfCYxdTM4HPvUgurmpJuZYAN9SP2c9Q5"), Optional.empty());
        assertTrue(list.matchesUrl(URI.create("https://images.example.com/DQmeLKjpW89de2DqfCYxdTM4HPvUgurmpJuZYAN9SP2c9Q5/image.jpg")));
        assertTrue(list.refuses(new Source.Stored("Q5/DQmeLKjpW89de2DqfCYxdTM4HPvUgurmpJuZYAN9SP2c9Q5")));
    }

    /** proxy.ts "should not block non-blacklisted URLs" and "...with query params appended". */
    @Test
    void queriesAndFragmentsDoNotBypassIt() {
        HiveBlacklist list = new HiveBlacklist(Set.of("https://i.imgur.com/0XObSlG.jpg"), Optional.empty());
        assertTrue(list.matchesUrl(URI.create("https://i.imgur.com/0XObSlG.jpg")));
        assertTrue(list.matchesUrl(URI.create("https://i.imgur.com/0XObSlG.jpg?_=1")));
        assertTrue(list.matchesUrl(URI.create("https://i.imgur.com/0XObSlG.jpg#bypass")));
        assertTrue(list.matchesUrl(URI.create("https://I.IMGUR.COM:443/0XObSlG.jpg")), "as Node spells it");
        assertFalse(list.matchesUrl(URI.create("https://example.com/totally-fine-image.jpg?_=1")));
        assertFalse(list.refuses(new Source.Remote(URI.create("https://example.com/a.jpg"))));
        assertTrue(list.refuses(new Source.Remote(URI.create("https://i.imgur.com/0XObSlG.jpg"))));
    }

    /** blacklist.ts's file formats: a flat array, or urls and patterns; a bad file keeps the list as it was. */
    @Test
    void filesInBothFormatsReloadWhenTheyChange() throws Exception {
        Path file = dir.resolve("blacklist.json");
        Files.writeString(file, "[\"https://bad.example/a.jpg\"]");
        HiveBlacklist list = new HiveBlacklist(Set.of(), Optional.of(file));
        assertTrue(list.matchesUrl(URI.create("https://bad.example/a.jpg")));
        assertFalse(list.reload(), "unchanged: not read again");

        Files.writeString(file, "{\"urls\": [\"https://other.example/b.jpg\"], \"patterns\": [\"^https?://([^/]*\\\\.)?fotas\\\\.cc/\"]}");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertTrue(list.reload());
        assertFalse(list.matchesUrl(URI.create("https://bad.example/a.jpg")));
        assertTrue(list.matchesUrl(URI.create("https://other.example/b.jpg")));
        assertTrue(list.matchesUrl(URI.create("https://cdn.fotas.cc/x.png")));
        assertFalse(list.matchesUrl(URI.create("https://fotas.ccc.example/x.png")));

        Files.writeString(file, "{\"patterns\": [\"(unclosed\"]}");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        assertFalse(list.reload());
        assertTrue(list.matchesUrl(URI.create("https://other.example/b.jpg")), "the good list is kept");
        Files.writeString(file, "not json");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(15)));
        assertFalse(list.reload());
        assertTrue(list.includes("https://other.example/b.jpg"));
    }

    @Test
    void anEmptyListRefusesNothing() {
        HiveBlacklist list = new HiveBlacklist(Set.of(), Optional.of(dir.resolve("missing.json")));
        assertTrue(list.isEmpty());
        assertFalse(list.refuses(new Source.Stored("DQmeLKjpW89de2DqfCYxdTM4HPvUgurmpJuZYAN9SP2c9Q5")));
    }
}
