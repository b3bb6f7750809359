package io.imgedge.storage;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Objects in one bucket of an S3-compatible server, through minio-java. Blocking: run on
 * virtual threads. S3 makes a single PUT atomic, so no partial object is ever visible.
 */
public final class S3BlobStore implements BlobStore {
    private static final Set<String> ABSENT = Set.of("NoSuchKey", "NoSuchBucket", "NoSuchObject");

    private final MinioClient client;
    private final String bucket;

    public S3BlobStore(MinioClient client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    /** A client with the config's endpoint, credentials, region and timeouts. */
    public static MinioClient client(S3Config config) {
        long timeout = config.timeout().toMillis();
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(config.maxCalls());
        dispatcher.setMaxRequestsPerHost(config.maxCalls());
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(timeout, TimeUnit.MILLISECONDS)
                .readTimeout(timeout, TimeUnit.MILLISECONDS)
                .writeTimeout(timeout, TimeUnit.MILLISECONDS)
                .connectionPool(new ConnectionPool(config.maxCalls(), 5, TimeUnit.MINUTES))
                .dispatcher(dispatcher)
                .retryOnConnectionFailure(true)
                .build();
        return MinioClient.builder()
                .endpoint(config.endpoint().toString())
                .credentials(config.accessKey(), config.secretKey())
                .region(config.region())
                .httpClient(http)
                .build();
    }

    @Override
    public Optional<Blob> get(String key, long maxBytes) {
        BlobKey.check(key);
        try (GetObjectResponse response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            String length = response.headers().get("Content-Length");
            if (length != null && Long.parseLong(length) > maxBytes) {
                throw new BlobTooLargeException(key, maxBytes);
            }
            byte[] bytes = response.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new BlobTooLargeException(key, maxBytes);
            }
            String etag = Optional.ofNullable(response.headers().get("ETag")).orElse("").replace("\"", "");
            Instant modified = Optional.ofNullable(response.headers().getDate("Last-Modified"))
                    .map(java.util.Date::toInstant).orElse(Instant.EPOCH);
            return Optional.of(new Blob(bytes, new BlobInfo(bytes.length, modified, etag)));
        } catch (ErrorResponseException e) {
            if (ABSENT.contains(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw failure("read", key, e);
        } catch (BlobTooLargeException e) {
            throw e;
        } catch (Exception e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public Optional<BlobInfo> stat(String key) {
        BlobKey.check(key);
        try {
            StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return Optional.of(new BlobInfo(stat.size(), stat.lastModified().toInstant(), stat.etag()));
        } catch (ErrorResponseException e) {
            if (ABSENT.contains(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw failure("stat", key, e);
        } catch (Exception e) {
            throw failure("stat", key, e);
        }
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) {
        BlobKey.check(key);
        try {
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1)
                    .contentType(contentType).build());
        } catch (Exception e) {
            throw failure("write", key, e);
        }
    }

    @Override
    public boolean delete(String key) {
        BlobKey.check(key);
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return false;
        } catch (Exception e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public String name() {
        return "s3:" + bucket;
    }

    private StoreException failure(String action, String key, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String reason = e instanceof ErrorResponseException r ? r.errorResponse().code() : e.getClass().getSimpleName();
        if (e instanceof IOException && e.getMessage() != null) {
            reason = reason + ": " + e.getMessage();
        }
        return new StoreException("cannot " + action + " " + key + " in " + name() + " (" + reason + ")", e);
    }
}
