package io.imgedge.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    static final Path SHIPPED = Path.of("..", "conf", "imgedge.conf");
    static final Map<String, Object> NO_SIGNING = Map.of("imgedge.signing.enabled", false);

    @Test
    void shippedConfLoadsAndSetsEveryKey() {
        ImgedgeConfig config = ConfigLoader.load(Optional.of(SHIPPED), Map.of(), Map.of());
        assertTrue(config.signing().enabled());
        assertEquals(8080, config.server().http().port());
        assertEquals(50L << 20, config.limits().maxSourceBytes());
        assertEquals(List.of(new StoreConfig.Backend.File(Path.of("data/store"))), config.store().backends());
        assertEquals(1, config.store().writeQuorum());
        assertEquals("demo", config.upload().tenants().getFirst().name());
        Config shipped = ConfigFactory.parseFile(SHIPPED.toFile());
        Config reference = ConfigFactory.defaultReference().getConfig("imgedge").atPath("imgedge");
        for (Map.Entry<String, ConfigValue> entry : reference.entrySet()) {
            assertTrue(shipped.hasPathOrNull(entry.getKey()), "conf/imgedge.conf does not document " + entry.getKey());
        }
    }

    @Test
    void environmentOverridesFileAndDefaults() {
        ImgedgeConfig config = ConfigLoader.load(Optional.of(SHIPPED), Map.of(
                "IMGEDGE_SERVER_HTTP_PORT", "9999",
                "IMGEDGE_LIMITS_MAX_SOURCE_BYTES", "2MiB",
                "IMGEDGE_SOURCES_HTTP_DOWNLOAD_TIMEOUT", "250ms",
                "IMGEDGE_SIGNING_ENABLED", "false"), Map.of());
        assertEquals(9999, config.server().http().port());
        assertEquals(2L << 20, config.limits().maxSourceBytes());
        assertEquals(Duration.ofMillis(250), config.sources().http().downloadTimeout());
        assertFalse(config.signing().enabled());
        assertEquals("IMGEDGE_LIMITS_MAX_SOURCE_BYTES", ConfigLoader.envName("imgedge.limits.max_source_bytes"));
    }

    @Test
    void imgproxyUrlSettingsAreRead() {
        ImgedgeConfig config = ConfigLoader.load(Optional.empty(), Map.of(), Map.of("imgedge.signing.enabled", false,
                "imgedge.sources.base_url", "http://images.dev/",
                "imgedge.sources.url_replacements", List.of(Map.of("pattern", "^test://([^/]*)/", "replacement", "http://${1}/x/")),
                "imgedge.processing.arguments_separator", ",",
                "imgedge.processing.only_presets", true,
                "imgedge.processing.allowed_options", List.of("w", "h")));
        SourcesConfig.Replacement replacement = config.sources().rewrite().replacements().getFirst();
        assertEquals("http://lorem/x/a.jpg", replacement.pattern().matcher("test://lorem/a.jpg").replaceAll(replacement.replacement()),
                "Go's ${1} names the group");
        assertEquals("http://images.dev/", config.sources().rewrite().baseUrl());
        assertEquals(new ProcessingConfig.Urls(",", false, true, java.util.Set.of("w", "h"), false), config.processing().urls());
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of("imgedge.signing.enabled", false,
                "imgedge.sources.url_replacements", List.of(Map.of("pattern", "(", "replacement", "x")))));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of("imgedge.signing.enabled", false,
                "imgedge.processing.arguments_separator", "/")));
    }

    @Test
    void storeBackendsAreRead() {
        ImgedgeConfig config = ConfigLoader.load(Optional.empty(), Map.of(), Map.of("imgedge.signing.enabled", false,
                "imgedge.store.backends", List.of(Map.of("type", "file", "dir", "/srv/a"),
                        Map.of("type", "s3", "endpoint", "http://minio:9000", "bucket", "originals",
                                "access_key", "k", "secret_key", "s", "max_calls", 8)),
                "imgedge.store.write_quorum", 2));
        assertEquals(2, config.store().writeQuorum());
        StoreConfig.Backend.S3 s3 = (StoreConfig.Backend.S3) config.store().backends().get(1);
        assertEquals("s3:minio:9000/originals", s3.name());
        assertEquals("originals", s3.bucket());
        assertEquals(8, s3.server().maxCalls());
    }

    @Test
    void badConfigNamesTheKey(@TempDir Path dir) throws Exception {
        assertMessage(Map.of("imgedge.server.http.port", 70000), "imgedge.server.http.port");
        assertMessage(Map.of("imgedge.limits.max_source_bytes", "lots"), "imgedge.limits.max_source_bytes");
        assertMessage(Map.of("imgedge.limits.queue", -1), "imgedge.limits.queue");
        assertMessage(Map.of("imgedge.processing.quality", 0), "imgedge.processing.quality");
        assertMessage(Map.of("imgedge.signing.enabled", true), "imgedge.signing.key");
        assertMessage(Map.of("imgedge.signing.key", "zz"), "imgedge.signing.key");
        assertMessage(Map.of("imgedge.admin.host", "0.0.0.0"), "imgedge.admin.token");
        assertMessage(Map.of("imgedge.admin.host", "0.0.0.0", "imgedge.admin.token", "short-token"), "at least 16 characters");
        assertMessage(Map.of("imgedge.sources.s3.endpoint", "ftp://x"), "imgedge.sources.s3.endpoint");
        assertMessage(Map.of("imgedge.store.backends", List.of()), "imgedge.store.backends");
        assertMessage(Map.of("imgedge.store.backends", List.of(Map.of("type", "ftp"))), "imgedge.store.backends");
        assertMessage(Map.of("imgedge.store.backends", List.of(Map.of("type", "s3", "endpoint", "http://x:9000"))),
                "imgedge.store.backends");
        assertMessage(Map.of("imgedge.store.write_quorum", 2), "imgedge.store.write_quorum");
        assertMessage(Map.of("imgedge.upload.tokens", List.of(Map.of("tenant", "a", "token", "short"))), "imgedge.upload.tokens");
        assertMessage(Map.of("imgedge.upload.rate", 0), "imgedge.upload.rate");
        assertMessage(Map.of("imgedge.limits.bodies.per_client", "1GiB"), "imgedge.limits.bodies.per_client");
        assertMessage(Map.of("imgedge.limits.bodies.timeout", "0s"), "imgedge.limits.bodies.timeout");
        Path typo = Files.writeString(dir.resolve("typo.conf"), "imgedge.limits.max_sorce_bytes = 1MiB\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(typo), Map.of(), NO_SIGNING));
        assertTrue(e.getMessage().contains("max_sorce_bytes") && e.getMessage().contains("unknown key"), e.getMessage());
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.of(dir.resolve("missing.conf")), Map.of(), NO_SIGNING));
    }

    /** Loads defaults with signing off, then {@code overrides}, and expects an error naming {@code key}. */
    private static void assertMessage(Map<String, Object> overrides, String key) {
        Map<String, Object> all = new HashMap<>(NO_SIGNING);
        all.putAll(overrides);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(), all));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
