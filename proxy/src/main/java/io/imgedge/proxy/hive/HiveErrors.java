package io.imgedge.proxy.hive;

import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Errors as the Hive imagehoster answers them (its error.ts): a status per code and the body
 * {@code {"error":{"name":"invalid_signature","info":{...}}}}, which Hive frontends read. Pure.
 */
public final class HiveErrors {
    /** What a proxy failure the imagehoster caches carries, so that CDNs keep it for ten minutes. */
    static final Map<String, String> PROXY_FAILURE = Map.of("cache-control", "public,max-age=600");

    /** The imagehoster's error codes, with its statuses. */
    public enum Code {
        BAD_REQUEST(400), BLACKLISTED(451), DEPLORABLE(403), FILE_MISSING(400), INTERNAL_ERROR(500),
        INVALID_IMAGE(400), INVALID_METHOD(405), INVALID_PARAM(400), INVALID_PROXY_URL(400), INVALID_SIGNATURE(400),
        LENGTH_REQUIRED(411), MISSING_PARAM(400), NO_SUCH_ACCOUNT(404), NOT_FOUND(404), PAYLOAD_TOO_LARGE(413),
        /** Spelt as the imagehoster spells it. */
        QOUTA_EXCEEDED(429), UPSTREAM_ERROR(400);

        final int status;

        Code(int status) {
            this.status = status;
        }

        /** The name in the answer: the code in snake case. */
        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private HiveErrors() {
    }

    /** An error answered as {@code code}, with {@code message} for our logs. */
    public static HttpError of(Code code, String message) {
        return as(HttpError.badRequest(message), code, Map.of());
    }

    /** {@code error} answered as {@code code}, with its own headers and {@code headers}. */
    static HttpError as(HttpError error, Code code, Map<String, String> headers) {
        return error.as(code.status, body(code.wireName()), headers);
    }

    /**
     * A failure of {@code /p/} as the imagehoster answers it: what is wrong with the source
     * (missing, not an image, broken, refused, unreachable) is 400 and cached for ten minutes;
     * what is wrong with us (busy, down) keeps its status and is not cached.
     */
    public static HttpError proxy(Throwable failure, int busyStatus) {
        HttpError error = ErrorMapper.toHttpError(failure, busyStatus);
        if (error.body() != null) {
            return error;
        }
        return switch (error.status()) {
            case 400 -> as(error, Code.INVALID_PARAM, PROXY_FAILURE);
            case 404, 415, 422 -> as(error, Code.INVALID_IMAGE, PROXY_FAILURE);
            case 403 -> as(error, Code.UPSTREAM_ERROR, PROXY_FAILURE);
            case 413 -> as(error, Code.PAYLOAD_TOO_LARGE, PROXY_FAILURE);
            case 451 -> as(error, Code.BLACKLISTED, PROXY_FAILURE);
            case 502, 504 -> as(error, error.originStatus() > 0 ? Code.INVALID_IMAGE : Code.UPSTREAM_ERROR, PROXY_FAILURE);
            default -> error.as(error.status(), body(error.status() == 429 ? "too_many_requests" : "internal_error"),
                    Map.of());
        };
    }

    /** Any other failure of a Hive route, in the imagehoster's shape, its status kept. */
    public static HttpError other(Throwable failure, int busyStatus) {
        HttpError error = ErrorMapper.toHttpError(failure, busyStatus);
        if (error.body() != null) {
            return error;
        }
        String name = switch (error.status()) {
            case 404 -> Code.NOT_FOUND.wireName();
            case 405 -> Code.INVALID_METHOD.wireName();
            case 413 -> Code.PAYLOAD_TOO_LARGE.wireName();
            case 415, 422 -> Code.INVALID_IMAGE.wireName();
            case 429 -> "too_many_requests";
            case 451 -> Code.BLACKLISTED.wireName();
            default -> error.status() < 500 ? Code.BAD_REQUEST.wireName() : Code.INTERNAL_ERROR.wireName();
        };
        int status = error.status() == 415 || error.status() == 422 ? 400 : error.status();
        return error.as(status, body(name), Map.of());
    }

    private static Map<String, Object> body(String name) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("name", name);
        return Map.of("error", inner);
    }
}
