package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.ImageReply;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a route answers, before it becomes an HTTP response. */
public sealed interface Reply {

    /** A processed image. */
    record Image(ImageReply image) implements Reply {
    }

    /** A JSON object; errors are JSON too. */
    record Json(int status, Map<String, Object> body, Map<String, String> headers) implements Reply {
        Json(int status, Map<String, Object> body) {
            this(status, body, Map.of());
        }
    }

    /**
     * Bytes as they are (an original, a part of one, or none for 304 and redirects). The body is
     * not modified: it is read through {@code body().duplicate()}.
     */
    record Bytes(int status, String contentType, ByteBuffer body, Map<String, String> headers) implements Reply {
    }

    /** Plain text, such as the Prometheus exposition. */
    record Text(int status, String contentType, String body) implements Reply {
    }

    static Reply error(HttpError error) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (error.body() != null) {
            body.putAll(error.body());
        } else {
            body.put("status", error.status());
            body.put("error", error.getMessage());
        }
        if (error.retryAfterSeconds() == 0) {
            return new Json(error.status(), body, error.headers());
        }
        Map<String, String> headers = new LinkedHashMap<>(error.headers());
        headers.put("retry-after", Long.toString(error.retryAfterSeconds()));
        return new Json(error.status(), body, headers);
    }

    /** An error with extra headers (such as {@code Content-Range} on a 416). */
    static Reply error(HttpError error, Map<String, String> headers) {
        Json json = (Json) error(error);
        Map<String, String> all = new LinkedHashMap<>(json.headers());
        all.putAll(headers);
        return new Json(json.status(), json.body(), all);
    }

    static Reply json(int status, String key, Object value) {
        return new Json(status, Map.of(key, value));
    }
}
