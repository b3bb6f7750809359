package io.imgedge.proxy.error;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure with the HTTP status and public message the client gets. {@link #report()} says
 * whether it is our fault (logged with its cause) rather than the client's or an origin's.
 */
public final class HttpError extends RuntimeException {
    private final int status;
    private final boolean report;
    private final long retryAfterSeconds;
    private final int originStatus;
    private final Map<String, String> headers;
    private final Map<String, Object> body;

    private HttpError(int status, String message, boolean report, Throwable cause) {
        this(status, message, report, cause, 0);
    }

    private HttpError(int status, String message, boolean report, Throwable cause, long retryAfterSeconds) {
        this(status, message, report, cause, retryAfterSeconds, 0);
    }

    private HttpError(int status, String message, boolean report, Throwable cause, long retryAfterSeconds,
                      int originStatus) {
        this(status, message, report, cause, retryAfterSeconds, originStatus, Map.of());
    }

    private HttpError(int status, String message, boolean report, Throwable cause, long retryAfterSeconds,
                      int originStatus, Map<String, String> headers) {
        this(status, message, report, cause, retryAfterSeconds, originStatus, headers, null);
    }

    private HttpError(int status, String message, boolean report, Throwable cause, long retryAfterSeconds,
                      int originStatus, Map<String, String> headers, Map<String, Object> body) {
        super(message, cause, false, false);
        this.status = status;
        this.report = report;
        this.retryAfterSeconds = retryAfterSeconds;
        this.originStatus = originStatus;
        this.headers = headers;
        this.body = body;
    }

    /**
     * This error as another API spells its answers (the Hive imagehoster's): {@code status},
     * the JSON {@code body} and {@code headers} (with this error's own) in place of ours.
     */
    public HttpError as(int newStatus, Map<String, Object> newBody, Map<String, String> moreHeaders) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.putAll(moreHeaders);
        return new HttpError(newStatus, getMessage(), report, getCause(), retryAfterSeconds, originStatus, Map.copyOf(all),
                Map.copyOf(newBody));
    }

    /** The JSON answer another API spells this error as ({@link #as}), or null for ours. */
    public Map<String, Object> body() {
        return body;
    }

    /** Headers the answer must carry besides {@code Retry-After} ({@code Allow}, {@code WWW-Authenticate}). */
    public Map<String, String> headers() {
        return headers;
    }

    /** The HTTP status an origin answered with, when this error is its answer; 0 otherwise. */
    public int originStatus() {
        return originStatus;
    }

    /** An origin's failing answer: 404 for missing (404, 410), else 502; the origin's status is kept. */
    public static HttpError fromOrigin(int originStatus) {
        return originStatus == 404 || originStatus == 410
                ? new HttpError(404, "source not found (origin answered " + originStatus + ")", false, null, 0, originStatus)
                : new HttpError(502, "origin answered " + originStatus, false, null, 0, originStatus);
    }

    /** Seconds for {@code Retry-After}, or 0 for no such header. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public boolean report() {
        return report;
    }

    public static HttpError badRequest(String message) {
        return new HttpError(400, message, false, null);
    }

    public static HttpError forbidden(String message) {
        return new HttpError(403, message, false, null);
    }

    public static HttpError notFound(String message) {
        return new HttpError(404, message, false, null);
    }

    /** @param allow the methods the resource takes, for the {@code Allow} header RFC 9110 requires on a 405 */
    public static HttpError methodNotAllowed(String message, String allow) {
        return new HttpError(405, message, false, null, 0, 0, Map.of("allow", allow));
    }

    /** @param challenge the {@code WWW-Authenticate} challenge RFC 9110 requires on a 401, e.g. {@code Bearer} */
    public static HttpError unauthorized(String message, String challenge) {
        return new HttpError(401, message, false, null, 0, 0, Map.of("www-authenticate", challenge));
    }

    /** 408: the request (its body) did not arrive in time; the connection is closed after it. */
    public static HttpError requestTimeout(String message) {
        return new HttpError(408, message, false, null);
    }

    public static HttpError uriTooLong(String message) {
        return new HttpError(414, message, false, null);
    }

    public static HttpError headersTooLarge(String message) {
        return new HttpError(431, message, false, null);
    }

    public static HttpError tooLarge(String message) {
        return new HttpError(413, message, false, null);
    }

    public static HttpError conflict(String message) {
        return new HttpError(409, message, false, null);
    }

    public static HttpError rangeNotSatisfiable(String message) {
        return new HttpError(416, message, false, null);
    }

    public static HttpError unsupportedMediaType(String message) {
        return new HttpError(415, message, false, null);
    }

    public static HttpError unprocessable(String message) {
        return new HttpError(422, message, false, null);
    }

    /** 451 (RFC 7725): refused by a blacklist. */
    public static HttpError unavailableForLegalReasons(String message) {
        return new HttpError(451, message, false, null);
    }

    public static HttpError tooManyRequests(String message, long retryAfterSeconds) {
        return new HttpError(429, message, false, null, Math.max(1, retryAfterSeconds));
    }

    /** An overload answer ({@code status} 503 or 429) telling the client to come back in a second. */
    public static HttpError busy(int status, String message) {
        return busy(status, message, 1);
    }

    public static HttpError busy(int status, String message, long retryAfterSeconds) {
        return new HttpError(status, message, false, null, Math.max(1, retryAfterSeconds));
    }

    public static HttpError internal(String message, Throwable cause) {
        return new HttpError(500, message, true, cause);
    }

    public static HttpError badGateway(String message, Throwable cause) {
        return new HttpError(502, message, false, cause);
    }

    public static HttpError unavailable(String message) {
        return new HttpError(503, message, false, null);
    }

    /** 503 for a dependency that is down (the store), logged: operators need to know. */
    public static HttpError unavailable(String message, Throwable cause) {
        return new HttpError(503, message, true, cause);
    }

    public static HttpError gatewayTimeout(String message) {
        return new HttpError(504, message, false, null);
    }
}
