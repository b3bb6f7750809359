package io.imgedge.proxy.error;

import io.imgedge.proxy.error.CircuitOpenException;
import io.imgedge.storage.BlobTooLargeException;
import io.imgedge.storage.StoreException;
import io.imgedge.vips.VipsException;
import io.imgedge.vips.WorkerPoolFullException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Maps any failure of the request path to the status and message a client sees. Pure. */
public final class ErrorMapper {
    private ErrorMapper() {
    }

    /** As {@link #toHttpError(Throwable, int)} with 503 for a full worker queue. */
    public static HttpError toHttpError(Throwable failure) {
        return toHttpError(failure, 503);
    }

    /** @param busyStatus what a full transform queue answers (503, or 429 where clients should back off) */
    public static HttpError toHttpError(Throwable failure, int busyStatus) {
        Throwable e = unwrap(failure);
        return switch (e) {
            case HttpError h -> h;
            case VipsException v -> switch (v.reason()) {
                case UNSUPPORTED_FORMAT -> HttpError.unsupportedMediaType("unsupported image format: " + v.getMessage());
                case CORRUPT_INPUT -> HttpError.unprocessable("image cannot be decoded: " + v.getMessage());
                case LIMIT_EXCEEDED -> HttpError.unprocessable("image exceeds limits: " + v.getMessage());
                case OPERATION_FAILED -> HttpError.internal("image processing failed", v);
            };
            case WorkerPoolFullException _ -> HttpError.busy(busyStatus, "server is busy, try again shortly");
            case CancellationException _ -> HttpError.busy(busyStatus, "server is busy, try again shortly");
            case CircuitOpenException open -> HttpError.busy(503, open.getMessage(), open.retryAfterSeconds());
            case BlobTooLargeException t -> HttpError.tooLarge("source is larger than " + t.limit() + " bytes");
            case StoreException s -> HttpError.badGateway("source store failed: " + s.getMessage(), s);
            case TimeoutException _ -> HttpError.unavailable("request took too long");
            default -> HttpError.internal("internal error", e);
        };
    }

    /** The failure inside completion and execution wrappers. */
    public static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
