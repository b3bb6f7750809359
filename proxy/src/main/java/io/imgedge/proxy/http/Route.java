package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.storage.ContentKey;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/** Where a public request goes. {@link #of} is pure. */
public sealed interface Route {
    record Health() implements Route {
    }

    record Ready() implements Route {
    }

    /** An imgproxy processing path, raw as sent, without query string. */
    record Process(String path) implements Route {
    }

    /** {@code POST /upload}: image bytes into the store. */
    record Upload() implements Route {
        @Override
        public boolean takesBody() {
            return true;
        }
    }

    /** {@code GET|HEAD /i/{key}}: an original from the store, by its content address. */
    record Original(String key) implements Route {
    }

    record Rejected(HttpError error) implements Route {
    }

    /** Whether the request's body is read and passed on (the others' bodies are ignored). */
    default boolean takesBody() {
        return false;
    }

    /** Metric label. */
    default String name() {
        return switch (this) {
            case Health _ -> "health";
            case Ready _ -> "ready";
            case Process _ -> "image";
            case Upload _ -> "upload";
            case Original _ -> "original";
            case Rejected _ -> "rejected";
        };
    }

    static Route of(HttpMethod method, String uri, DecoderResult decoded) {
        if (decoded.isFailure()) {
            return new Rejected(switch (decoded.cause()) {
                case TooLongHttpLineException _ -> HttpError.uriTooLong("request line too long");
                case TooLongHttpHeaderException _ -> HttpError.headersTooLarge("request headers too large");
                case TooLongFrameException _ -> HttpError.headersTooLarge("request too large");
                default -> HttpError.badRequest("malformed HTTP request");
            });
        }
        int query = uri.indexOf('?');
        String path = query >= 0 ? uri.substring(0, query) : uri;
        if (path.equals("/upload")) {
            return method.equals(HttpMethod.POST) ? new Upload()
                    : new Rejected(HttpError.methodNotAllowed("method " + method + " not allowed on /upload (POST)"));
        }
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            return new Rejected(HttpError.methodNotAllowed("method " + method + " not allowed"));
        }
        if (path.startsWith("/i/")) {
            String key = path.substring("/i/".length());
            return ContentKey.isContentKey(key) ? new Original(key) : new Rejected(HttpError.notFound("no such original"));
        }
        return switch (path) {
            case "/health" -> new Health();
            case "/ready" -> new Ready();
            case "/", "/favicon.ico", "/robots.txt" -> new Rejected(HttpError.notFound("not found"));
            default -> new Process(path);
        };
    }
}
