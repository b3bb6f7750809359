package io.imgedge.storage;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * The S3 server started for integration tests by {@code scripts/test} (S3Proxy), found through
 * {@code IMGEDGE_TEST_S3_ENDPOINT}, {@code IMGEDGE_TEST_S3_ACCESS_KEY} and
 * {@code IMGEDGE_TEST_S3_SECRET_KEY}.
 */
public final class TestS3 {
    private TestS3() {
    }

    public static S3Config config() {
        String endpoint = System.getenv("IMGEDGE_TEST_S3_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalStateException("IMGEDGE_TEST_S3_ENDPOINT is not set: run the tests with scripts/test, "
                    + "which starts S3Proxy and Redis on loopback");
        }
        return new S3Config(URI.create(endpoint), System.getenv("IMGEDGE_TEST_S3_ACCESS_KEY"),
                System.getenv("IMGEDGE_TEST_S3_SECRET_KEY"), "us-east-1", Duration.ofSeconds(10), 16);
    }

    /** Creates a bucket with a fresh name and returns the name. */
    public static String newBucket(MinioClient client) {
        String bucket = "t-" + UUID.randomUUID().toString().substring(0, 13).toLowerCase(Locale.ROOT);
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create test bucket " + bucket, e);
        }
        return bucket;
    }
}
