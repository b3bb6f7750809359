package io.imgedge.proxy;

import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.proxy.config.ImgedgeConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What an integration test starts, in a directory of its own: nodes on loopback (from
 * {@link TestNodes#overrides}), origins, anything closeable; all closed in reverse order after
 * each test, then the directory removed. Register with {@code @RegisterExtension}.
 */
final class Harness implements BeforeEachCallback, AfterEachCallback {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final List<AutoCloseable> closing = new ArrayList<>();
    private Path dir;
    private int nodes;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("imgedge-it");
        Files.createDirectories(images());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        closing.clear();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** The test's own directory. */
    Path dir() {
        return dir;
    }

    /** Where every node started here reads {@code local://} sources. */
    Path images() {
        return dir.resolve("images");
    }

    /** A node of its own (caches and store under its own name), with the test's keys over the defaults. */
    ImgedgeServer node(Map<String, Object> extra) throws Exception {
        return node("n" + nodes++, extra, InstantSource.system());
    }

    /** A node named {@code name}: a second node of one name reuses the first one's caches and store (a restart). */
    ImgedgeServer node(String name, Map<String, Object> extra, InstantSource clock) throws Exception {
        return node(name, extra, clock, () -> extra);
    }

    /** As {@link #node(String, Map, InstantSource)}, reloading ({@link ImgedgeServer#reload}) the keys {@code reload} gives then. */
    ImgedgeServer node(String name, Map<String, Object> extra, InstantSource clock, Supplier<Map<String, Object>> reload)
            throws Exception {
        return closeLater(ImgedgeServer.start(config(name, extra), clock, () -> config(name, reload.get())));
    }

    private ImgedgeConfig config(String name, Map<String, Object> extra) {
        Map<String, Object> overrides = TestNodes.overrides(dir, name);
        overrides.putAll(extra);
        return ConfigLoader.load(Optional.empty(), Map.of(), overrides);
    }

    TestOrigin origin() throws IOException {
        return closeLater(new TestOrigin());
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        closing.add(closeable);
        return closeable;
    }

    /**
     * Keys for one cleartext node without TLS or admin listener, its local images in
     * {@code dir/images} and its caches and store under {@code dir}, plus {@code more}.
     */
    static Map<String, Object> localNode(Path dir, Map<String, Object> more) {
        Map<String, Object> keys = new HashMap<>();
        keys.put("imgedge.server.http.port", 0);
        keys.put("imgedge.server.https.enabled", false);
        keys.put("imgedge.admin.enabled", false);
        keys.put("imgedge.sources.local.root", dir.resolve("images").toString());
        keys.put("imgedge.cache.disk.dir", dir.resolve("results").toString());
        keys.put("imgedge.cache.source.dir", dir.resolve("sources").toString());
        keys.put("imgedge.store.backends", List.of(Map.of("type", "file", "dir", dir.resolve("store").toString())));
        keys.putAll(more);
        return keys;
    }

    /** Keys for a node that fetches from loopback origins on any port. */
    static Map<String, Object> loopbackOrigins(Map<String, Object> more) {
        Map<String, Object> keys = new HashMap<>(more);
        keys.put("imgedge.sources.http.allow_loopback", true);
        keys.put("imgedge.sources.http.allowed_ports", List.of());
        return keys;
    }

    static HttpResponse<byte[]> get(ImgedgeServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
