package io.imgedge.proxy.config;

import io.imgedge.storage.S3Config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.imgedge.proxy.config.ConfigValues.positiveBytes;
import static io.imgedge.proxy.config.ConfigValues.positiveDuration;

/**
 * The upload store ({@code imgedge.store}): backends in read order and how writes are replicated.
 *
 * @param writeQuorum       backends that must take a write for it to succeed
 * @param hedgeAfter        how long a read waits for a backend before asking the next one too
 * @param healthInterval    how often every backend is checked
 * @param redirectOriginals answer {@code /i/} with a 302 to a presigned URL where the first healthy backend can make one
 * @param presignTtl        how long such a URL stays valid
 * @param repairRate        bytes per second that a replica check or repair may read and write
 */
public record StoreConfig(List<Backend> backends, int writeQuorum, Duration hedgeAfter, Duration healthInterval,
                          boolean redirectOriginals, Duration presignTtl, long repairRate) {

    /** One backend. */
    public sealed interface Backend {
        /** A directory on this machine. */
        record File(Path dir) implements Backend {
        }

        /** A bucket on an S3-compatible server (MinIO); created at start when missing. */
        record S3(String name, S3Config server, String bucket) implements Backend {
        }
    }

    static StoreConfig from(Section c) {
        List<Backend> backends = backends(c, "backends");
        if (backends.isEmpty()) {
            throw ConfigValues.bad(c, "backends", "list at least one backend");
        }
        int quorum = ConfigValues.intBetween(c, "write_quorum", 1, backends.size());
        return new StoreConfig(backends, quorum, positiveDuration(c, "hedge_after"),
                positiveDuration(c, "health_interval"),
                c.getBoolean("redirect_originals"), positiveDuration(c, "presign_ttl"), positiveBytes(c, "repair_rate"));
    }

    /** The backends listed under {@code key}, as {@code store.backends} lists them (maybe none). */
    static List<Backend> backends(Section c, String key) {
        List<Section> entries = c.getSections(key);
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            backends.add(backend(c, key, i, entries.get(i)));
        }
        return List.copyOf(backends);
    }

    /** This store's settings for other backends: a store of the same kind, elsewhere. */
    public StoreConfig withBackends(List<Backend> others, int quorum) {
        return new StoreConfig(others, quorum, hedgeAfter, healthInterval, false, presignTtl, repairRate);
    }

    private static Backend backend(Section c, String key, int index, Section entry) {
        String where = "entry " + index + ": ";
        String type = entry.has("type") ? entry.getString("type") : "";
        try {
            return switch (type) {
                case "file" -> new Backend.File(Path.of(required(entry, "dir")));
                case "s3" -> {
                    String bucket = required(entry, "bucket");
                    String endpoint = required(entry, "endpoint");
                    S3Config server = new S3Config(URI.create(endpoint), required(entry, "access_key"),
                            required(entry, "secret_key"), entry.has("region") ? entry.getString("region") : "us-east-1",
                            entry.has("timeout") ? entry.getDuration("timeout") : Duration.ofSeconds(3),
                            entry.has("max_calls") ? entry.getInt("max_calls") : 64);
                    String name = entry.has("name") ? entry.getString("name") : "s3:" + URI.create(endpoint).getAuthority() + "/" + bucket;
                    yield new Backend.S3(name, server, bucket);
                }
                default -> throw new IllegalArgumentException("type must be \"file\" or \"s3\", got \"" + type + "\"");
            };
        } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
            throw ConfigValues.bad(c, key, where + e.getMessage());
        }
    }

    private static String required(Section entry, String name) {
        if (!entry.has(name) || entry.getString(name).isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return entry.getString(name);
    }
}
