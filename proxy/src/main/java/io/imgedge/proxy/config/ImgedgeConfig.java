package io.imgedge.proxy.config;

import com.typesafe.config.ConfigRenderOptions;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The whole validated configuration; built once at start by {@link ConfigLoader}.
 *
 * @param settings every key (without the {@code imgedge.} prefix) with its value as written, for
 *                 telling which keys a reload changed
 */
public record ImgedgeConfig(ServerConfig server, AdminConfig admin, SigningConfig signing, SourcesConfig sources,
                            LimitsConfig limits, ProcessingConfig processing, CacheConfig cache, StoreConfig store,
                            UploadConfig upload, ThrottleConfig throttle, HiveConfig hive, String vipsLibrary,
                            AccessLogConfig accessLog, TemplatesConfig templates, Map<String, String> settings) {

    /** The keys whose values differ in {@code other} (or that only one of the two has). */
    public Set<String> changedIn(ImgedgeConfig other) {
        Set<String> changed = new TreeSet<>();
        Set<String> keys = new HashSet<>(settings.keySet());
        keys.addAll(other.settings().keySet());
        for (String key : keys) {
            if (!Objects.equals(settings.get(key), other.settings().get(key))) {
                changed.add(key);
            }
        }
        return changed;
    }

    /** Reads {@code c}, the {@code imgedge} object. */
    static ImgedgeConfig from(Section c) {
        return read(c);
    }

    private static ImgedgeConfig read(Section c) {
        return new ImgedgeConfig(ServerConfig.from(c.sub("server")), AdminConfig.from(c.sub("admin")),
                SigningConfig.from(c.sub("signing")), SourcesConfig.from(c.sub("sources")),
                LimitsConfig.from(c.sub("limits")), ProcessingConfig.from(c.sub("processing")),
                CacheConfig.from(c.sub("cache")), StoreConfig.from(c.sub("store")), UploadConfig.from(c.sub("upload")),
                ThrottleConfig.from(c.sub("throttle"), c.sub("redis")), HiveConfig.from(c.sub("hive")),
                c.getString("vips.library"), AccessLogConfig.from(c.sub("log.access")), TemplatesConfig.from(c.sub("templates")),
                settings(c));
    }

    private static Map<String, String> settings(Section c) {
        Map<String, String> settings = new HashMap<>();
        c.root().getConfig(c.path()).entrySet()
                .forEach(e -> settings.put(e.getKey(), e.getValue().render(ConfigRenderOptions.concise())));
        return Map.copyOf(settings);
    }
}
