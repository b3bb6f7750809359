package io.imgedge.proxy.image;

import io.imgedge.proxy.config.LimitsConfig;
import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.proxy.origin.Origins;
import io.imgedge.proxy.url.ProcessingOptions;
import io.imgedge.proxy.url.ProcessingRequest;
import io.imgedge.proxy.url.ProcessingUrlParser;
import io.imgedge.vips.EncodedImage;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.Vips;
import io.imgedge.vips.WorkerPool;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * The image path: parse and verify the URL, fetch the original, transform it on the worker
 * pool. Never blocks the caller; failures arrive as {@code HttpError}s or the exceptions
 * {@code ErrorMapper} knows. Thread-safe.
 */
public final class ImageService {
    private final ProcessingUrlParser urls;
    private final Origins origins;
    private final WorkerPool workers;
    private final Vips vips;
    private final LimitsConfig limits;
    private final ProcessingConfig processing;

    public ImageService(ProcessingUrlParser urls, Origins origins, WorkerPool workers, Vips vips,
                        LimitsConfig limits, ProcessingConfig processing) {
        this.urls = urls;
        this.origins = origins;
        this.workers = workers;
        this.vips = vips;
        this.limits = limits;
        this.processing = processing;
    }

    public CompletableFuture<ImageReply> process(String rawPath) {
        ProcessingRequest request;
        try {
            request = urls.parse(rawPath);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        TransformSpec spec = spec(request.options());
        long start = System.nanoTime();
        return origins.fetch(request.source()).thenCompose(original -> {
            long fetched = System.nanoTime();
            return workers.submit(() -> vips.transform(original.bytes(), spec, limits.image()))
                    .thenApply(image -> reply(image, fetched - start, System.nanoTime() - fetched));
        });
    }

    private TransformSpec spec(ProcessingOptions o) {
        TransformSpec.Fit fit = switch (o.resizingType()) {
            case FIT -> TransformSpec.Fit.FIT;
            case FILL -> TransformSpec.Fit.FILL;
            case FORCE -> TransformSpec.Fit.FORCE;
        };
        int quality = o.quality() == 0 ? processing.quality() : o.quality();
        return new TransformSpec(o.width(), o.height(), fit, o.gravity(), o.enlarge(), o.format(), quality,
                processing.stripMetadata());
    }

    private ImageReply reply(EncodedImage image, long fetchNanos, long transformNanos) {
        return new ImageReply(image.bytes(), image.format().mimeType(), etag(image.bytes()), processing.maxAge(),
                fetchNanos, transformNanos);
    }

    static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
