package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.ImageReply;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a route answers, before it becomes an HTTP response. */
public sealed interface Reply {

    /** A processed image. */
    record Image(ImageReply image) implements Reply {
    }

    /** A JSON object; errors are JSON too. */
    record Json(int status, Map<String, Object> body) implements Reply {
    }

    /** Plain text, such as the Prometheus exposition. */
    record Text(int status, String contentType, String body) implements Reply {
    }

    static Reply error(HttpError error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", error.status());
        body.put("error", error.getMessage());
        return new Json(error.status(), body);
    }

    static Reply json(int status, String key, Object value) {
        return new Json(status, Map.of(key, value));
    }
}
