package io.imgedge.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where an S3-compatible server (MinIO) is and how to talk to it.
 *
 * @param endpoint  {@code http(s)://host:port}
 * @param region    signing region; MinIO accepts {@code us-east-1}
 * @param timeout   connect, read and write timeout of one HTTP call
 * @param maxCalls  calls in flight at once to this server
 */
public record S3Config(URI endpoint, String accessKey, String secretKey, String region, Duration timeout, int maxCalls) {
    public S3Config {
        Objects.requireNonNull(endpoint, "endpoint");
        if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("endpoint must be http:// or https://");
        }
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(region, "region");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxCalls < 1) {
            throw new IllegalArgumentException("maxCalls must be >= 1");
        }
    }
}
