package io.imgedge.proxy.url;

import io.imgedge.proxy.net.RemoteUrls;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.storage.BlobKey;
import io.imgedge.storage.ContentKey;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Where an original comes from, parsed from a processing URL's source part. */
public sealed interface Source {

    /** {@code http://} or {@code https://}, normalised by {@link RemoteUrls}. */
    record Remote(URI uri) implements Source {
    }

    /** {@code s3://bucket/key} on the configured S3 endpoint. */
    record S3Object(String bucket, String key) implements Source {
    }

    /** {@code local:///path} under the configured local root. */
    record LocalFile(String path) implements Source {
    }

    /** {@code store:///{key}}: an upload in imgedge's own store (content-addressed, so immutable). */
    record Stored(String key) implements Source {
    }

    /**
     * A web original the Hive imagehoster kept in its proxy store under {@code key}: read from
     * there first, fetched from {@code remote} when it is not there. The same original as
     * {@code remote}, so it shares its spelling.
     */
    record Archived(Remote remote, String key) implements Source {
    }

    /**
     * One spelling per source: scheme and host lower-cased, default port dropped, so that URLs
     * naming the same original share cache entries.
     */
    default String canonical() {
        return switch (this) {
            case Remote(URI uri) -> {
                String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
                int port = uri.getPort();
                boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
                String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
                yield scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + path
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            }
            case S3Object(String bucket, String key) -> "s3://" + bucket + "/" + key;
            case LocalFile(String path) -> "local:///" + path;
            case Stored(String key) -> "store:///" + key;
            case Archived(Remote remote, String _) -> remote.canonical();
        };
    }

    /**
     * Parses a decoded source URL.
     *
     * @throws HttpError 400 for malformed or unknown-scheme URLs, 403 for local paths that try to
     *                   leave their root
     */
    static Source parse(String url) {
        int colon = url.indexOf(':');
        String scheme = colon > 0 ? url.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        return switch (scheme) {
            case "http", "https" -> remote(url);
            case "s3" -> s3(url);
            case "local" -> local(url);
            case "store" -> stored(url);
            default -> throw HttpError.badRequest("unsupported source URL scheme '" + scheme
                    + "' (http, https, s3, local, store)");
        };
    }

    private static Source remote(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw HttpError.badRequest("source URL has no host");
            }
            return new Remote(RemoteUrls.normalize(uri));
        } catch (URISyntaxException e) {
            throw HttpError.badRequest("invalid source URL: " + e.getReason());
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("source URL refused: " + e.getMessage());
        }
    }

    private static Source s3(String url) {
        if (!url.startsWith("s3://")) {
            throw HttpError.badRequest("s3 sources look like s3://bucket/key");
        }
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw HttpError.badRequest("s3 sources look like s3://bucket/key");
        }
        String key = rest.substring(slash + 1);
        try {
            return new S3Object(rest.substring(0, slash), BlobKey.check(key));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("invalid s3 key: " + e.getMessage());
        }
    }

    private static Source stored(String url) {
        String key = url.startsWith("store:///") ? url.substring("store:///".length()) : "";
        if (!ContentKey.isContentKey(key)) {
            throw HttpError.badRequest("store sources look like store:///ab/cd/{sha256}.{ext}");
        }
        return new Stored(key);
    }

    private static Source local(String url) {
        if (!url.startsWith("local:///")) {
            throw HttpError.badRequest("local sources look like local:///path/to/file");
        }
        try {
            return new LocalFile(BlobKey.check(url.substring("local:///".length())));
        } catch (IllegalArgumentException e) {
            throw HttpError.forbidden("local path not allowed: " + e.getMessage());
        }
    }
}
