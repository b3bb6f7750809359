package io.imgedge.proxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static io.imgedge.proxy.config.ConfigValues.positiveBytes;
import static io.imgedge.proxy.config.ConfigValues.positiveDuration;

/**
 * The result and source caches ({@code imgedge.cache}).
 *
 * @param resultDir  disk tier of processed results; empty = memory only
 * @param openFiles  disk-tier entries kept open for sending from the file; 0 = none
 * @param sourceDir  disk cache of fetched originals (http, s3); empty = none
 * @param sourceMemoryBytes memory in front of the source disk cache, for originals in use now
 * @param localTtl   freshness of local:// results; zero = never expire
 * @param s3Ttl      freshness of s3:// originals; zero = never expire
 * @param remoteTtl  freshness of http(s) originals without Cache-Control
 */
public record CacheConfig(long memoryBytes, Optional<Path> resultDir, long resultBytes, int openFiles, Optional<Path> sourceDir,
                          long sourceBytes, long sourceMemoryBytes, Duration localTtl, Duration s3Ttl, Duration remoteTtl,
                          Duration remoteMinTtl, Duration remoteMaxTtl, Duration staleIfError, Duration negativeTtl) {

    static CacheConfig from(Section c) {
        Duration min = nonNegative(c, "ttl.remote_min");
        Duration max = positiveDuration(c, "ttl.remote_max");
        if (min.compareTo(max) > 0) {
            throw ConfigValues.bad(c, "ttl.remote_min", "must not be above ttl.remote_max");
        }
        return new CacheConfig(positiveBytes(c, "memory.size"), dir(c, "disk.dir"), positiveBytes(c, "disk.size"),
                ConfigValues.intBetween(c, "disk.open_files", 0, 1_000_000),
                dir(c, "source.dir"), positiveBytes(c, "source.size"), positiveBytes(c, "source.memory_size"),
                nonNegative(c, "ttl.local"),
                nonNegative(c, "ttl.s3"), positiveDuration(c, "ttl.remote"), min, max,
                nonNegative(c, "stale_if_error"), positiveDuration(c, "negative_ttl"));
    }

    private static Optional<Path> dir(Section c, String path) {
        String dir = c.getString(path);
        return dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    private static Duration nonNegative(Section c, String path) {
        Duration value = c.getDuration(path);
        if (value.isNegative()) {
            throw ConfigValues.bad(c, path, "must be >= 0");
        }
        return value;
    }
}
