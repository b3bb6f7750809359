package io.imgedge.proxy;

import io.imgedge.proxy.hive.Base58;
import io.imgedge.proxy.hive.HiveKeys;
import io.imgedge.storage.BlobStore;
import io.imgedge.storage.S3BlobStore;
import io.imgedge.storage.S3ProxyProcess;
import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The imagehoster's buckets served in place: an S3 server (S3Proxy) holding objects in the
 * imagehoster's layout (uploads under {@code D} keys in one bucket, proxied originals under
 * {@code U} keys in another, flat or partitioned), a node pointed at them, and the images
 * served from them, an original whose upstream is gone included; what the node fetches anew is
 * kept where the imagehoster would keep it.
 */
class HiveBucketIT {
    @TempDir
    static Path shared;
    static S3ProxyProcess s3;

    @RegisterExtension
    final Harness harness = new Harness();

    final String uploads = "up-" + UUID.randomUUID().toString().substring(0, 8);
    final String proxied = "px-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyProcess.start(shared.resolve("s3"));
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    static Map<String, Object> backend(String bucket) {
        return Map.of("type", "s3", "name", bucket, "endpoint", s3.endpoint().toString(), "bucket", bucket,
                "access_key", S3ProxyProcess.ACCESS_KEY, "secret_key", S3ProxyProcess.SECRET_KEY, "timeout", "3s");
    }

    /** One of the imagehoster's buckets, written directly as it writes them. */
    BlobStore bucket(String name) {
        S3BlobStore store = new S3BlobStore(S3BlobStore.client(s3.config()), name, "direct:" + name, 4);
        store.createBucketIfMissing();
        return store;
    }

    ImgedgeServer node(boolean partitioned) throws Exception {
        Map<String, Object> keys = new HashMap<>(Map.of("imgedge.hive.enabled", true,
                "imgedge.hive.service_url", "https://images.hive.test", "imgedge.hive.rpc_nodes", List.of("http://127.0.0.1:1/"),
                "imgedge.hive.storage_partitioning", partitioned, "imgedge.processing.auto_formats", List.of(),
                "imgedge.store.backends", List.of(backend(uploads)),
                "imgedge.hive.proxy_store.backends", List.of(backend(proxied))));
        return harness.node(Harness.loopbackOrigins(keys));
    }

    /** The imagehoster's key for a proxied URL, worked out here from its proxy.ts: U + base58(multihash(sha1(url))). */
    static String proxyKey(String url) {
        byte[] sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1").digest(url.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] multihash = new byte[22];
        multihash[0] = 0x11;
        multihash[1] = 20;
        System.arraycopy(sha1, 0, multihash, 2, 20);
        return "U" + Base58.encode(multihash);
    }

    static String b58(String url) {
        return Base58.encode(url.getBytes(StandardCharsets.UTF_8));
    }

    /** A loopback URL nothing answers at: an upstream that is gone. */
    static String goneUrl(String path) throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + path;
        }
    }

    @Test
    void uploadsAndProxiedOriginalsAreServedFromTheImagehostersBuckets() throws Exception {
        byte[] upload = TestImages.jpeg(300, 200);
        String key = HiveKeys.upload(upload);
        bucket(uploads).put(key, upload, "image/jpeg");
        String gone = goneUrl("/photos/cat.png");
        byte[] original = TestImages.png(400, 300);
        bucket(proxied).put(proxyKey(gone), original, "");
        ImgedgeServer server = node(false);

        HttpResponse<byte[]> served = Harness.get(server, "/" + key + "/photo.jpg");
        assertEquals(200, served.statusCode());
        assertArrayEquals(upload, served.body());
        HttpResponse<byte[]> resized = Harness.get(server, "/p/" + b58("https://images.hive.test/" + key + "/photo.jpg")
                + "?width=150&mode=fit");
        assertEquals(150, TestImages.decode(resized.body()).getWidth());

        HttpResponse<byte[]> kept = Harness.get(server, "/p/" + b58(gone) + "?width=100&mode=fit");
        assertEquals(200, kept.statusCode(), new String(kept.body(), StandardCharsets.UTF_8));
        assertEquals(100, TestImages.decode(kept.body()).getWidth(), "the upstream is gone; the imagehoster kept it");
    }

    @Test
    void whatIsFetchedIsKeptUnderTheImagehostersKey() throws Exception {
        TestOrigin origin = harness.origin();
        byte[] photo = TestImages.png(320, 240);
        origin.put("dog.png", photo);
        origin.put("page.html", "<html></html>".getBytes(StandardCharsets.UTF_8));
        ImgedgeServer server = node(false);
        String url = origin.url("/img/dog.png");
        assertEquals(200, Harness.get(server, "/p/" + b58(url) + "?width=64").statusCode());
        BlobStore bucket = bucket(proxied);
        Eventually.until(() -> bucket.stat(proxyKey(url)).isPresent(), "the original kept in the proxy bucket");
        assertTrue(Arrays.equals(photo, bucket.get(proxyKey(url), 1 << 20).orElseThrow().bytes()));
        assertEquals(400, Harness.get(server, "/p/" + b58(origin.url("/img/page.html")) + "?width=64").statusCode());
        assertEquals(1, origin.hits("/img/page.html"));
        assertTrue(bucket.stat(proxyKey(origin.url("/img/page.html"))).isEmpty(), "what is no image is not kept");
    }

    @Test
    void aPartitionedLayoutIsReadToo() throws Exception {
        byte[] upload = TestImages.png(30, 20);
        String key = HiveKeys.upload(upload);
        bucket(uploads).put(key.substring(key.length() - 2) + "/" + key, upload, "image/png");
        String gone = goneUrl("/old.png");
        String urlKey = proxyKey(gone);
        bucket(proxied).put(urlKey.substring(urlKey.length() - 2) + "/" + urlKey, TestImages.png(90, 60), "");
        ImgedgeServer server = node(true);
        assertArrayEquals(upload, Harness.get(server, "/" + key).body());
        assertEquals(90, TestImages.decode(Harness.get(server, "/p/" + b58(gone)).body()).getWidth());
    }
}
