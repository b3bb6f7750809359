package io.imgedge.proxy.config;

import io.imgedge.proxy.net.SourceAllowList;
import io.imgedge.storage.S3Config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static io.imgedge.proxy.config.ConfigValues.intAtLeast;
import static io.imgedge.proxy.config.ConfigValues.positiveDuration;

/**
 * Where originals come from ({@code imgedge.sources}).
 *
 * @param localRoot root of {@code local:///} sources; empty = disabled
 * @param s3        the server behind {@code s3://bucket/key}; empty = disabled
 * @param rewrite   how a processing URL's source is completed before it is parsed
 */
public record SourcesConfig(Optional<Path> localRoot, Optional<S3Config> s3, HttpFetch http, int blockingCalls,
                            Rewrite rewrite) {

    /**
     * imgproxy's {@code IMGPROXY_URL_REPLACEMENTS} and {@code IMGPROXY_BASE_URL}: each replacement
     * in turn (a regular expression and its replacement, {@code $1} or Go's {@code ${1}} naming
     * groups), then the base URL put in front of a source that does not start with it.
     *
     * @param baseUrl "" = none
     */
    public record Rewrite(String baseUrl, List<Replacement> replacements) {
        public static final Rewrite NONE = new Rewrite("", List.of());
    }

    /** One URL replacement: the first match of {@code pattern} and every other one become {@code replacement}. */
    public record Replacement(Pattern pattern, String replacement) {
    }

    /** The remote (http/https) fetcher. */
    /**
     * @param allowList    source URL prefixes that may be fetched; empty = any
     * @param allowedPorts ports that may be connected to; empty = any
     */
    public record HttpFetch(boolean allowLoopback, boolean allowPrivate, Duration connectTimeout,
                            Duration downloadTimeout, int maxRedirects, int maxConnectionsPerHost, String userAgent,
                            SourceAllowList allowList, Set<Integer> allowedPorts) {
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
        SourceAllowList allowList;
        try {
            allowList = SourceAllowList.parse(c.root().getStringList(c.key("http.allow_list")));
        } catch (IllegalArgumentException e) {
            throw ConfigValues.bad(c, "http.allow_list", e.getMessage());
        }
        Set<Integer> ports = new HashSet<>(c.root().getIntList(c.key("http.allowed_ports")));
        if (ports.stream().anyMatch(p -> p < 1 || p > 65_535)) {
            throw ConfigValues.bad(c, "http.allowed_ports", "ports are 1..65535");
        }
        HttpFetch http = new HttpFetch(c.getBoolean("http.allow_loopback"), c.getBoolean("http.allow_private"),
                positiveDuration(c, "http.connect_timeout"), positiveDuration(c, "http.download_timeout"),
                intAtLeast(c, "http.max_redirects", 0), intAtLeast(c, "http.max_connections_per_host", 1),
                c.getString("http.user_agent"), allowList, Set.copyOf(ports));
        return new SourcesConfig(root.isEmpty() ? Optional.empty() : Optional.of(Path.of(root)), s3, http,
                intAtLeast(c, "blocking_calls", 1), rewrite(c));
    }

    private static Rewrite rewrite(Section c) {
        List<Replacement> replacements = new ArrayList<>();
        for (Section r : c.getSections("url_replacements")) {
            try {
                // Go's ${1} is Java's $1
                replacements.add(new Replacement(Pattern.compile(r.getString("pattern")),
                        r.getString("replacement").replaceAll("\\$\\{(\\d+)}", "\\$$1")));
            } catch (PatternSyntaxException | com.typesafe.config.ConfigException e) {
                throw ConfigValues.bad(c, "url_replacements", "each is { pattern = \"regex\", replacement = \"...\" }: "
                        + e.getMessage());
            }
        }
        return new Rewrite(c.getString("base_url"), List.copyOf(replacements));
    }
}
