package io.imgedge.proxy;

import io.imgedge.proxy.hive.Base58;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static io.imgedge.proxy.Harness.get;
import static io.imgedge.proxy.Harness.loopbackOrigins;
import static io.imgedge.proxy.Harness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The source policy on a real server: what it refuses is refused however it is spelt and whatever is cached. */
class SourcePolicyIT {
    @RegisterExtension
    final Harness harness = new Harness();

    /** After a restart with a stricter policy, originals and results cached under the old one were still served (issue 13). */
    @Test
    void aStricterPolicyAppliesToWhatIsCachedToo() throws Exception {
        TestOrigin origin = harness.origin();
        origin.put("p.png", TestImages.png(120, 80));
        String url = "/_/w:60/plain/" + origin.url("/img/p.png");
        String other = "/_/w:30/plain/" + origin.url("/img/p.png");
        ImgedgeServer open = harness.node("node", loopbackOrigins(Map.of()), InstantSource.system());
        assertEquals(200, get(open, url).statusCode());
        assertEquals(200, get(open, other).statusCode());
        assertEquals("hit-memory", get(open, url).headers().firstValue("x-cache").orElseThrow());
        open.close();

        ImgedgeServer reopened = harness.node("node", loopbackOrigins(Map.of()), InstantSource.system());
        assertEquals("hit-disk", get(reopened, url).headers().firstValue("x-cache").orElseThrow(), "the cache survives");
        reopened.close();

        ImgedgeServer noLoopback = harness.node("node", Map.of("imgedge.sources.http.allowed_ports", List.of()),
                InstantSource.system());
        HttpResponse<byte[]> refused = get(noLoopback, url);
        assertEquals(403, refused.statusCode(), text(refused));
        assertEquals(403, get(noLoopback, "/_/w:45/plain/" + origin.url("/img/p.png")).statusCode(), "nor from the source cache");
        noLoopback.close();

        ImgedgeServer listed = harness.node("node", loopbackOrigins(Map.of("imgedge.sources.http.allow_list",
                List.of(origin.url("/elsewhere/")))), InstantSource.system());
        assertEquals(403, get(listed, other).statusCode(), "a new allow-list");
        assertEquals(1, origin.hits("/img/p.png"), "fetched once, under the first policy");
    }

    @Test
    void aPolicyReloadAppliesToParsedAndCachedUrls() throws Exception {
        TestOrigin origin = harness.origin();
        origin.put("p.png", TestImages.png(120, 80));
        ImgedgeServer server = harness.node("node", loopbackOrigins(Map.of()), InstantSource.system(),
                () -> loopbackOrigins(Map.of("imgedge.sources.http.allow_list", List.of(origin.url("/other/")))));
        String url = "/_/w:60/plain/" + origin.url("/img/p.png");
        assertEquals(200, get(server, url).statusCode());
        assertEquals(200, get(server, url).statusCode());
        server.reload();
        assertEquals(403, get(server, url).statusCode(), "a parsed, cached URL under the reloaded allow-list");
    }

    /** An allowed prefix with {@code ..} after it, as sent or in a redirect, once reached the origin as sent (issue 13). */
    @Test
    void traversalOutOfAnAllowedPrefixIsRefused() throws Exception {
        TestOrigin origin = harness.origin();
        origin.put("secret.png", TestImages.png(40, 40));
        ImgedgeServer server = harness.node(loopbackOrigins(Map.of("imgedge.sources.http.allow_list",
                List.of(origin.url("/redirect-to"), origin.url("/status/")))));
        for (String escape : List.of("/status/../img/secret.png", "/status/%2e%2e/img/secret.png",
                "/status/.%2e/img/secret.png")) {
            HttpResponse<byte[]> response = get(server, "/_/w:20/plain/" + origin.url(escape.replace("%", "%25")));
            assertEquals(403, response.statusCode(), escape + ": " + text(response));
        }
        assertEquals(400, get(server, "/_/w:20/plain/" + origin.url("/status/..%252fimg/secret.png")).statusCode(),
                "an encoded slash");
        HttpResponse<byte[]> redirected = get(server, "/_/w:20/plain/" + origin.url("/redirect-to%3F/redirect-to/../img/secret.png"));
        assertEquals(403, redirected.statusCode(), text(redirected));
        assertEquals(1, origin.hits("/redirect-to"));
        assertEquals(0, origin.hits("/img/secret.png"), "never fetched");
    }

    /** Unsigned Hive URLs once read local files and the store (issue 13). */
    @Test
    void hiveProxyUrlsFetchOnlyFromTheWeb() throws Exception {
        Files.write(harness.images().resolve("private.png"), TestImages.png(30, 30));
        ImgedgeServer server = harness.node(Map.of("imgedge.hive.enabled", true, "imgedge.signing.enabled", true,
                "imgedge.signing.key", "aa", "imgedge.signing.salt", "bb"));
        for (String source : List.of("local:///private.png", "store:///ab/cd/" + "ab".repeat(32) + ".png",
                "s3://bucket/private.png")) {
            HttpResponse<byte[]> response = get(server, "/p/" + Base58.encode(source.getBytes(StandardCharsets.UTF_8))
                    + "?width=10");
            assertEquals(400, response.statusCode(), source + ": " + text(response));
        }
        assertEquals(403, get(server, "/10x10/local:///private.png").statusCode(),
                "a legacy path only when the URL is http(s): else a processing URL, whose signature is wrong");
    }
}
