package io.imgedge.storage;

import io.minio.MinioClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The contract against a real S3 server process (S3Proxy). */
class S3BlobStoreIT extends BlobStoreContract {
    static BlobStore store;

    @BeforeAll
    static void connect() {
        MinioClient client = S3BlobStore.client(TestS3.config());
        store = new S3BlobStore(client, TestS3.newBucket(client));
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
        BlobStore dead = new S3BlobStore(S3BlobStore.client(down), "bucket");
        assertThrows(StoreException.class, () -> dead.get("a/b.jpg", 100));
    }
}
