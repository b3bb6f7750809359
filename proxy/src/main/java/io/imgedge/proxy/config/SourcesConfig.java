package io.imgedge.proxy.config;

import io.imgedge.storage.S3Config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static io.imgedge.proxy.config.ConfigValues.intAtLeast;
import static io.imgedge.proxy.config.ConfigValues.positiveDuration;

/**
 * Where originals come from ({@code imgedge.sources}).
 *
 * @param localRoot root of {@code local:///} sources; empty = disabled
 * @param s3        the server behind {@code s3://bucket/key}; empty = disabled
 */
public record SourcesConfig(Optional<Path> localRoot, Optional<S3Config> s3, HttpFetch http, int blockingCalls) {

    /** The remote (http/https) fetcher. */
    public record HttpFetch(boolean allowLoopback, boolean allowPrivate, Duration connectTimeout,
                            Duration downloadTimeout, int maxRedirects, int maxConnectionsPerHost, String userAgent) {
    }

    static SourcesConfig from(Section c) {
        String root = c.getString("local.root");
        Optional<S3Config> s3 = Optional.empty();
        String endpoint = c.getString("s3.endpoint");
        if (!endpoint.isEmpty()) {
            try {
                s3 = Optional.of(new S3Config(URI.create(endpoint), c.getString("s3.access_key"),
                        c.getString("s3.secret_key"), c.getString("s3.region"), positiveDuration(c, "s3.timeout"),
                        intAtLeast(c, "s3.max_calls", 1)));
            } catch (IllegalArgumentException e) {
                throw ConfigValues.bad(c, "s3.endpoint", e.getMessage());
            }
        }
        HttpFetch http = new HttpFetch(c.getBoolean("http.allow_loopback"), c.getBoolean("http.allow_private"),
                positiveDuration(c, "http.connect_timeout"), positiveDuration(c, "http.download_timeout"),
                intAtLeast(c, "http.max_redirects", 0), intAtLeast(c, "http.max_connections_per_host", 1),
                c.getString("http.user_agent"));
        return new SourcesConfig(root.isEmpty() ? Optional.empty() : Optional.of(Path.of(root)), s3, http,
                intAtLeast(c, "blocking_calls", 1));
    }
}
