package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.hive.HiveKeys;
import io.imgedge.storage.ContentKey;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a public request goes. {@link #of} is pure. */
public sealed interface Route {
    /** {@code /{w}x{h}/http(s)://...}: the imagehoster's legacy form (the URL may carry a query). */
    Pattern LEGACY = Pattern.compile("/(\\d{1,5})x(\\d{1,5})/(https?://.+)");

    record Health() implements Route {
    }

    record Ready() implements Route {
    }

    /** An imgproxy processing path, raw as sent, without query string. */
    record Process(String path) implements Route {
    }

    /** {@code /t/{signature}/{template}/...}: a template rendering; the path is the part after {@code /t}. */
    record TemplateImage(String path, String query) implements Route {
    }

    /** {@code /info/{signature}/...}: what a source image is, as JSON; the path is the part after {@code /info}. */
    record Info(String path) implements Route {
    }

    /** The Hive imagehoster's {@code /p/{base58 url}?query}. */
    record Hive(String encoded, String query) implements Route {
    }

    /** The Hive imagehoster's legacy {@code /{w}x{h}/{url}}: moved to the {@code /p/} form. */
    record HiveLegacy(int width, int height, String url) implements Route {
    }

    /**
     * The Hive imagehoster's signed uploads: {@code POST /{account}/{signature}} (the signature of
     * the file's challenge) and {@code POST /cs/{account}/{signature}} (of its checksum's).
     */
    record HiveUpload(boolean checksum, String account, String signature) implements Route {
        @Override
        public boolean takesBody() {
            return true;
        }
    }

    /** The Hive imagehoster's {@code POST /hs/{token}}: an upload with a HiveSigner access token. */
    record HiveSignerUpload(String token) implements Route {
        @Override
        public boolean takesBody() {
            return true;
        }
    }

    /** The Hive imagehoster's {@code POST /proxy-auth/{account}/{signature}}: an editor-preview token. */
    record HiveProxyAuth(String account, String signature) implements Route {
        @Override
        public boolean takesBody() {
            return true;
        }
    }

    /** The Hive imagehoster's {@code GET /{key}[/{filename}]}: an upload, by its key. */
    record HiveStored(String key) implements Route {
    }

    /**
     * ecency's {@code /webp/u/...} and {@code /webp/{w}x{h}/...}: moved to the same path without
     * {@code /webp} (where Accept chooses the format), {@code location} with its query.
     */
    record HiveWebp(String location) implements Route {
    }

    /** The Hive imagehoster's {@code /u/{account}/avatar[/{size}]} ({@code size} null when absent). */
    record HiveAvatar(String account, String size) implements Route {
    }

    /** The Hive imagehoster's {@code /u/{account}/cover}. */
    record HiveCover(String account) implements Route {
    }

    /** The Hive imagehoster's health check: {@code /}, {@code /.well-known/healthcheck.json}, {@code /healthcheck}. */
    record HiveHealth() implements Route {
    }

    /** {@code OPTIONS}: a CORS preflight, answered for the Hive imagehoster's routes. */
    record Preflight() implements Route {
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
            case Health _, HiveHealth _ -> "health";
            case Preflight _ -> "preflight";
            case Ready _ -> "ready";
            case Process _, Hive _ -> "image";
            case TemplateImage _ -> "template";
            case Info _ -> "info";
            case HiveLegacy _, HiveAvatar _, HiveCover _, HiveWebp _ -> "redirect";
            case Upload _, HiveUpload _, HiveSignerUpload _ -> "upload";
            case HiveProxyAuth _ -> "proxy-auth";
            case Original _, HiveStored _ -> "original";
            case Rejected _ -> "rejected";
        };
    }

    static Route of(HttpMethod method, String uri, DecoderResult decoded) {
        return of(method, uri, decoded, "");
    }

    /** @param prefix what every path starts with ({@code server.path_prefix}), "" = none: other paths are 404s */
    static Route of(HttpMethod method, String rawUri, DecoderResult decoded, String prefix) {
        if (!prefix.isEmpty() && !decoded.isFailure() && !rawUri.startsWith(prefix + "/")) {
            return new Rejected(HttpError.notFound("not found"));
        }
        String uri = rawUri.substring(decoded.isFailure() ? 0 : prefix.length());
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
                    : new Rejected(HttpError.methodNotAllowed("method " + method + " not allowed on /upload (POST)", "POST"));
        }
        if (method.equals(HttpMethod.POST)) {
            Route upload = hiveUpload(path);
            if (upload != null) {
                return upload;
            }
        }
        if (method.equals(HttpMethod.OPTIONS)) {
            return new Preflight();
        }
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            return new Rejected(HttpError.methodNotAllowed("method " + method + " not allowed", "GET, HEAD"));
        }
        if (path.startsWith("/t/")) {
            return new TemplateImage(path.substring(2), query >= 0 ? uri.substring(query + 1) : null);
        }
        if (path.startsWith("/info/")) {
            return new Info(path.substring("/info".length()));
        }
        if (path.startsWith("/p/") && path.indexOf('/', 3) < 0 && path.length() > 3) {
            return new Hive(path.substring(3), query >= 0 ? uri.substring(query + 1) : null);
        }
        // the pattern only where it can match: most paths start with a signature, not a size
        Matcher legacy = path.length() > 1 && Character.isDigit(path.charAt(1)) ? LEGACY.matcher(uri) : null;
        if (legacy != null && legacy.matches()) {
            try {
                return new HiveLegacy(Integer.parseInt(legacy.group(1)), Integer.parseInt(legacy.group(2)), legacy.group(3));
            } catch (NumberFormatException e) {
                return new Rejected(HttpError.badRequest("size out of range"));
            }
        }
        if (path.startsWith("/i/")) {
            String key = path.substring("/i/".length());
            return ContentKey.isContentKey(key) ? new Original(key) : new Rejected(HttpError.notFound("no such original"));
        }
        if (path.startsWith("/webp/u/") || path.startsWith("/webp/") && LEGACY.matcher(uri.substring(5)).matches()) {
            return new HiveWebp(uri.substring(5));
        }
        if (path.startsWith("/u/")) {
            String[] parts = path.split("/", -1);
            if (parts.length == 4 && !parts[2].isEmpty() && parts[3].equals("cover")) {
                return new HiveCover(parts[2]);
            }
            if ((parts.length == 4 || parts.length == 5) && !parts[2].isEmpty() && parts[3].equals("avatar")) {
                return new HiveAvatar(parts[2], parts.length == 5 && !parts[4].isEmpty() ? parts[4] : null);
            }
        }
        int second = path.indexOf('/', 1);
        if (HiveKeys.isUploadKey(second < 0 ? path.substring(1) : path.substring(1, second))
                && (second < 0 || path.indexOf('/', second + 1) < 0)) {
            return new HiveStored(second < 0 ? path.substring(1) : path.substring(1, second));
        }
        return switch (path) {
            case "/health" -> new Health();
            case "/ready" -> new Ready();
            case "/", "/.well-known/healthcheck.json", "/healthcheck" -> new HiveHealth();
            case "/favicon.ico", "/robots.txt" -> new Rejected(HttpError.notFound("not found"));
            default -> new Process(path);
        };
    }

    /** {@code /{account}/{signature}} or {@code /cs/{account}/{signature}}, else null. */
    private static Route hiveUpload(String path) {
        String[] parts = path.split("/", -1);
        boolean filled = parts.length >= 3 && Arrays.stream(parts, 1, parts.length).noneMatch(String::isEmpty);
        if (filled && parts.length == 3 && parts[1].equals("hs")) {
            return new HiveSignerUpload(parts[2]);
        }
        if (filled && parts.length == 3) {
            return new HiveUpload(false, parts[1], parts[2]);
        }
        if (filled && parts.length == 4 && parts[1].equals("proxy-auth")) {
            return new HiveProxyAuth(parts[2], parts[3]);
        }
        if (filled && parts.length == 4 && parts[1].equals("cs")) {
            return new HiveUpload(true, parts[2], parts[3]);
        }
        return null;
    }
}
