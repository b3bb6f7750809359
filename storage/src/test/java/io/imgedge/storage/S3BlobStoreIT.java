package io.imgedge.storage;

import io.minio.MinioClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract against a real S3 server process (S3Proxy). */
class S3BlobStoreIT extends BlobStoreContract {
    static BlobStore store;
    static String bucket;

    @BeforeAll
    static void connect() {
        MinioClient client = S3BlobStore.client(TestS3.config());
        bucket = TestS3.newBucket(client);
        store = new S3BlobStore(client, bucket, "s3:" + bucket, 8);
    }

    @Override
    BlobStore store() {
        return store;
    }

    @Test
    void unreachableServerIsAStoreException() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        S3Config down = new S3Config(URI.create("http://127.0.0.1:" + port), "a", "b", "us-east-1", Duration.ofSeconds(2), 2);
        BlobStore dead = new S3BlobStore(S3BlobStore.client(down), "bucket", "dead", 2);
        assertThrows(StoreException.class, () -> dead.get("a/b.jpg", 100));
        assertThrows(StoreException.class, dead::check);
    }

    @Test
    void aMissingBucketFailsTheCheckUntilCreated() {
        MinioClient client = S3BlobStore.client(TestS3.config());
        String name = "t-missing-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        S3BlobStore fresh = new S3BlobStore(client, name, "s3:" + name, 2);
        assertThrows(StoreException.class, fresh::check);
        fresh.createBucketIfMissing();
        fresh.check();
    }

    @Test
    void presignedUrlServesTheObject() throws Exception {
        String key = freshKey();
        byte[] data = bytes(3000, 9);
        store.put(key, data, "image/jpeg");
        URI url = store.presign(key, Duration.ofMinutes(5)).orElseThrow();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertArrayEquals(data, response.body());
        }
    }

    /** Objects of no known type (the Hive imagehoster's proxied originals) are stored too. */
    @Test
    void anUnknownTypeIsStored() {
        String key = freshKey();
        byte[] data = bytes(100, 3);
        store.put(key, data, "");
        assertArrayEquals(data, store.get(key, 1000).orElseThrow().bytes());
    }

    @Test
    void onlyServerErrorsAndConnectionFailuresAreRetried() {
        assertTrue(S3BlobStore.retryable(new java.net.ConnectException("refused")));
        assertFalse(S3BlobStore.retryable(new IllegalArgumentException("bad")));
        assertFalse(S3BlobStore.retryable(new BlobTooLargeException("k", 1)));
    }
}
