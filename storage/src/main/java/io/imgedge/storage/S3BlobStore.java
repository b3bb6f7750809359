package io.imgedge.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.Result;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.ServerException;
import io.minio.http.Method;
import io.minio.messages.Item;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Objects in one bucket of an S3-compatible server, through minio-java. Blocking: run on
 * virtual threads. Calls in flight are bounded; server errors (5xx) and failed connections are
 * retried twice with backoff, nothing else is (a timeout is not: it would cost the timeout again).
 * S3 makes a single PUT atomic, so no partial object is ever visible.
 */
public final class S3BlobStore implements BlobStore {
    private static final Set<String> ABSENT = Set.of("NoSuchKey", "NoSuchBucket", "NoSuchObject");

    private static final int ATTEMPTS = 3;
    private static final long BACKOFF_MILLIS = 50;

    private final MinioClient client;
    private final String bucket;
    private final String name;
    private final Semaphore permits;

    /**
     * @param name     for logs and metrics
     * @param maxCalls calls in flight at once; more wait
     */
    public S3BlobStore(MinioClient client, String bucket, String name, int maxCalls) {
        this.client = client;
        this.bucket = bucket;
        this.name = name;
        this.permits = new Semaphore(maxCalls);
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
        try {
            return call(() -> {
                try (GetObjectResponse response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                    String length = response.headers().get("Content-Length");
                    if (length != null && Long.parseLong(length) > maxBytes) {
                        throw new BlobTooLargeException(key, maxBytes);
                    }
                    byte[] bytes = response.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                    if (bytes.length > maxBytes) {
                        throw new BlobTooLargeException(key, maxBytes);
                    }
                    return Optional.of(new Blob(bytes, info(response, bytes.length)));
                }
            });
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
    public Optional<Blob> get(String key, long offset, int length) {
        BlobKey.check(key);
        FileBlobStore.checkRange(offset, length);
        try {
            return call(() -> {
                try (GetObjectResponse response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key)
                        .offset(offset).length((long) length).build())) {
                    byte[] bytes = response.readNBytes(length);
                    String range = response.headers().get("Content-Range");
                    long size = range != null && range.contains("/")
                            ? Long.parseLong(range.substring(range.indexOf('/') + 1).strip()) : bytes.length;
                    return Optional.of(new Blob(bytes, info(response, size)));
                }
            });
        } catch (ErrorResponseException e) {
            if (ABSENT.contains(e.errorResponse().code())) {
                return Optional.empty();
            }
            if ("InvalidRange".equals(e.errorResponse().code())) {
                return stat(key).map(info -> new Blob(new byte[0], info));
            }
            throw failure("read", key, e);
        } catch (Exception e) {
            throw failure("read", key, e);
        }
    }

    private static BlobInfo info(GetObjectResponse response, long size) {
        String etag = Optional.ofNullable(response.headers().get("ETag")).orElse("").replace("\"", "");
        Instant modified = Optional.ofNullable(response.headers().getDate("Last-Modified"))
                .map(java.util.Date::toInstant).orElse(Instant.EPOCH);
        return new BlobInfo(size, modified, etag);
    }

    @Override
    public Optional<BlobInfo> stat(String key) {
        BlobKey.check(key);
        try {
            StatObjectResponse stat = call(() -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
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
            call(() -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1)
                    .contentType(contentType.isBlank() ? "application/octet-stream" : contentType).build()));
        } catch (Exception e) {
            throw failure("write", key, e);
        }
    }

    @Override
    public boolean delete(String key) {
        BlobKey.check(key);
        try {
            call(() -> {
                client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
                return null;
            });
            return false;
        } catch (Exception e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public Stream<String> list(String prefix) {
        Iterable<Result<Item>> listing = client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                .recursive(true).build());
        return StreamSupport.stream(listing.spliterator(), false).map(result -> {
            try {
                return result.get().objectName();
            } catch (Exception e) {
                throw failure("list", prefix + "*", e);
            }
        });
    }

    @Override
    public void check() {
        boolean exists;
        try {
            exists = call(() -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
        } catch (Exception e) {
            throw failure("check", "bucket", e);
        }
        if (!exists) {
            throw new StoreException("bucket " + bucket + " does not exist in " + name(), null);
        }
    }

    /** Creates the bucket when it does not exist yet. */
    public void createBucketIfMissing() {
        try {
            call(() -> {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                }
                return null;
            });
        } catch (Exception e) {
            throw failure("create", "bucket", e);
        }
    }

    @Override
    public Optional<URI> presign(String key, Duration ttl) {
        BlobKey.check(key);
        try {
            return Optional.of(URI.create(client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                    .method(Method.GET).bucket(bucket).object(key).expiry((int) ttl.toSeconds()).build())));
        } catch (Exception e) {
            throw failure("presign", key, e);
        }
    }

    /** Runs one call within the concurrency bound, retrying server errors and failed connections. */
    private <T> T call(S3Call<T> op) throws Exception {
        permits.acquire();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return op.run();
                } catch (Exception e) {
                    if (attempt >= ATTEMPTS || !retryable(e)) {
                        throw e;
                    }
                    Thread.sleep(BACKOFF_MILLIS << (attempt - 1));
                }
            }
        } finally {
            permits.release();
        }
    }

    /**
     * 5xx answers and failed connections may pass; anything else (4xx, our limits) will not, nor
     * will a timeout: a server that hangs would cost the timeout again on every try, and a
     * replicated store asks another replica instead.
     */
    static boolean retryable(Exception e) {
        return switch (e) {
            case ErrorResponseException r -> r.response() != null && r.response().code() >= 500;
            case ServerException _ -> true;
            case InterruptedIOException _ -> false;
            case IOException _ -> true;
            default -> false;
        };
    }

    @FunctionalInterface
    private interface S3Call<T> {
        T run() throws Exception;
    }

    @Override
    public String name() {
        return name;
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
