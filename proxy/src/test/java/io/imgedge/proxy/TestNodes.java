package io.imgedge.proxy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Configuration the integration tests start nodes from. */
final class TestNodes {
    private TestNodes() {
    }

    /**
     * Overrides for a node on ephemeral loopback-bound ports (public HTTP and admin; no TLS) that
     * takes unsigned URLs, reads {@code local://} sources from {@code dir/images} and keeps its
     * caches and store under {@code dir/name}. Mutable: add the test's own keys.
     */
    static Map<String, Object> overrides(Path dir, String name) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("imgedge.server.http.port", 0);
        overrides.put("imgedge.server.https.enabled", false);
        overrides.put("imgedge.admin.port", 0);
        overrides.put("imgedge.signing.enabled", false);
        overrides.put("imgedge.sources.local.root", dir.resolve("images").toString());
        overrides.put("imgedge.cache.disk.dir", dir.resolve(name + "/results").toString());
        overrides.put("imgedge.cache.source.dir", dir.resolve(name + "/sources").toString());
        overrides.put("imgedge.store.backends", List.of(Map.of("type", "file", "dir", dir.resolve(name + "/store").toString())));
        return overrides;
    }
}
