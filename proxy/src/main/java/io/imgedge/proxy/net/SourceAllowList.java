package io.imgedge.proxy.net;

import io.imgedge.proxy.net.RemoteUrls;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which remote sources may be fetched: none configured allows all; otherwise a URL must match
 * one prefix by parts, never by text: same scheme, the same host exactly (so
 * {@code http://example.com@evil.test/} and {@code http://example.com.evil.test/} do not match
 * {@code http://example.com}), the same port, and a path that equals the prefix's or continues
 * it after a {@code /}. Prefixes and URLs are compared in {@link RemoteUrls}'s normal form (URLs
 * arrive in it: sources when parsed, redirect targets when followed). Pure.
 */
public record SourceAllowList(List<URI> prefixes) {

    /** @throws IllegalArgumentException for a prefix that is not an absolute http(s) URL with a host */
    public static SourceAllowList parse(List<String> prefixes) {
        return new SourceAllowList(prefixes.stream().map(p -> {
            URI uri = URI.create(p.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("'" + p + "' must be an http(s) URL with a host and no user part");
            }
            return RemoteUrls.normalize(uri);
        }).toList());
    }

    public boolean allows(URI url) {
        if (prefixes.isEmpty()) {
            return true;
        }
        for (URI prefix : prefixes) {
            if (matches(prefix, url)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(URI prefix, URI url) {
        if (url.getScheme() == null || url.getHost() == null || url.getRawUserInfo() != null
                || !prefix.getScheme().equalsIgnoreCase(url.getScheme())
                || !prefix.getHost().equalsIgnoreCase(url.getHost())
                || port(prefix) != port(url)) {
            return false;
        }
        String base = prefix.getRawPath() == null || prefix.getRawPath().isEmpty() ? "/" : prefix.getRawPath();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return path.equals(base) || path.startsWith(base.endsWith("/") ? base : base + "/");
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
