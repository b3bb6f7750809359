package io.imgedge.proxy.origin;

import io.imgedge.proxy.config.SourcesConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.url.Source;
import io.imgedge.storage.BlobStore;
import io.imgedge.storage.FileBlobStore;
import io.imgedge.storage.S3BlobStore;
import io.imgedge.storage.S3Config;
import io.minio.MinioClient;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/** Fetches an original from whichever origin a {@link Source} names. Thread-safe. */
public final class Origins {
    private static final HttpError S3_OFF = HttpError.forbidden("s3:// sources are not configured");
    private static final HttpError LOCAL_OFF = HttpError.forbidden("local:// sources are disabled");

    private final HttpOrigin http;
    private final Optional<BlobOrigin> local;
    private final Optional<MinioClient> s3;
    private final int s3Calls;
    private final BlobOrigin store;
    private final long maxBytes;
    private final ExecutorService virtualThreads;
    private final Semaphore blockingCalls;
    private static final HttpError BLOCKED = HttpError.unavailableForLegalReasons("this image is blacklisted");

    private final Optional<KeptOrigin> kept;
    private final Predicate<Source> blocked;

    /**
     * What the Hive imagehoster adds.
     *
     * @param proxyStore its proxy store, behind {@link Source.Archived}, if any
     * @param keep       which originals fetched for an archived source are kept there
     * @param blocked    which sources its image blacklist refuses, whatever the route
     */
    public record Hive(Optional<BlobStore> proxyStore, Predicate<byte[]> keep, Predicate<Source> blocked) {
        public static final Hive NONE = new Hive(Optional.empty(), _ -> false, _ -> false);
    }

    /** @param store the upload store, behind {@code store:///} */
    public Origins(HttpOrigin http, SourcesConfig config, BlobStore store, long maxBytes, ExecutorService virtualThreads,
                   Hive hive) {
        this.http = http;
        this.maxBytes = maxBytes;
        this.virtualThreads = virtualThreads;
        this.blockingCalls = new Semaphore(config.blockingCalls());
        this.local = config.localRoot().map(root -> new BlobOrigin(new FileBlobStore(root), maxBytes, virtualThreads, blockingCalls, false));
        this.s3 = config.s3().map(S3BlobStore::client);
        this.s3Calls = config.s3().map(S3Config::maxCalls).orElse(1);
        this.store = new BlobOrigin(store, maxBytes, virtualThreads, blockingCalls, true);
        this.kept = hive.proxyStore().map(proxy -> new KeptOrigin(new BlobOrigin(proxy, maxBytes, virtualThreads,
                blockingCalls, false), proxy, http, hive.keep(), virtualThreads));
        this.blocked = hive.blocked();
    }

    /**
     * Why {@code source} may not be used under the policy in force now (a scheme that is off,
     * the allow-list, the port list, a refused address literal, the Hive image blacklist), decided without I/O. Checked
     * before any cache is asked, so a cached copy of a source the policy now refuses is not served.
     */
    public Optional<HttpError> refusal(Source source) {
        if (blocked.test(source)) {
            return Optional.of(BLOCKED);
        }
        return switch (source) {
            case Source.Remote remote -> http.refusal(remote.uri());
            case Source.Archived archived -> http.refusal(archived.remote().uri());
            case Source.S3Object _ -> s3.isPresent() ? Optional.empty() : Optional.of(S3_OFF);
            case Source.LocalFile _ -> local.isPresent() ? Optional.empty() : Optional.of(LOCAL_OFF);
            case Source.Stored _ -> Optional.empty();
        };
    }

    /** The original's bytes; fails with an {@link HttpError} or a storage exception. */
    public CompletableFuture<Original> fetch(Source source) {
        return switch (source) {
            case Source.Remote remote -> http.fetch(remote.uri());
            case Source.Archived archived -> kept.map(k -> k.fetch(archived))
                    .orElseGet(() -> http.fetch(archived.remote().uri()));
            case Source.S3Object object -> s3.map(client -> new BlobOrigin(
                            new S3BlobStore(client, object.bucket(), "s3:" + object.bucket(), s3Calls),
                            maxBytes, virtualThreads, blockingCalls, false).fetch(object.key()))
                    .orElseGet(() -> CompletableFuture.failedFuture(S3_OFF));
            case Source.LocalFile file -> local.map(origin -> origin.fetch(file.path()))
                    .orElseGet(() -> CompletableFuture.failedFuture(LOCAL_OFF));
            case Source.Stored stored -> store.fetch(stored.key());
        };
    }
}
