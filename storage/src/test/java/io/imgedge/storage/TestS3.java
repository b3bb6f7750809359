package io.imgedge.storage;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.UUID;

/**
 * The S3 server the integration tests of one JVM share: an S3Proxy process of its own, started
 * on first use (the jar comes from Maven, see {@link S3ProxyProcess}) and stopped when the JVM
 * ends. Each test takes buckets of its own.
 */
public final class TestS3 {
    private static S3ProxyProcess server;

    private TestS3() {
    }

    public static synchronized S3Config config() {
        if (server == null) {
            try {
                server = S3ProxyProcess.start(Files.createTempDirectory("imgedge-test-s3"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test S3 server", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            S3ProxyProcess started = server;
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
                try {
                    started.stop();
                } catch (InterruptedException ignored) {
                    // the JVM ends anyway
                }
            }));
        }
        return server.config();
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
