package io.imgedge.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the configuration in layers: {@code reference.conf} defaults, then the operator's file,
 * then {@code IMGEDGE_*} environment variables (one per key: {@code imgedge.limits.max_source_bytes}
 * is {@code IMGEDGE_LIMITS_MAX_SOURCE_BYTES}; a list of plain values is comma-separated, empty for
 * none; lists of objects cannot be set this way), then explicit overrides (tests).
 *
 * <p>Unknown keys in the file, wrong types and out-of-range values all fail with a
 * {@link ConfigException} whose message names the key.
 */
public final class ConfigLoader {
    private static final String ROOT = "imgedge";
    private static final String ENV_PREFIX = "IMGEDGE_";

    private ConfigLoader() {
    }

    public static ImgedgeConfig load(Optional<Path> file, Map<String, String> env, Map<String, Object> overrides) {
        Config reference = ConfigFactory.defaultReference().getConfig(ROOT).atPath(ROOT);
        Config operator = ConfigFactory.empty();
        if (file.isPresent()) {
            if (!Files.isRegularFile(file.get())) {
                throw new ConfigException.IO(ConfigFactory.empty().origin(), "config file " + file.get() + " not found");
            }
            operator = ConfigFactory.parseFile(file.get().toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            rejectUnknownKeys(operator, reference);
        }
        Config fromOverrides = ConfigFactory.parseMap(overrides, "overrides");
        rejectUnknownKeys(fromOverrides, reference);
        Config merged = fromOverrides
                .withFallback(environment(env, reference))
                .withFallback(operator)
                .withFallback(reference)
                .resolve();
        merged.checkValid(reference, ROOT);
        return ImgedgeConfig.from(new Section(merged, ROOT));
    }

    /** The env var that overrides {@code path}, e.g. {@code IMGEDGE_SERVER_HTTP_PORT}. */
    public static String envName(String path) {
        return ENV_PREFIX + path.substring(ROOT.length() + 1).replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private static Config environment(Map<String, String> env, Config reference) {
        Map<String, Object> values = new HashMap<>();
        for (Map.Entry<String, ConfigValue> entry : reference.entrySet()) {
            String value = env.get(envName(entry.getKey()));
            if (value == null) {
                continue;
            }
            if (entry.getValue().valueType() != ConfigValueType.LIST) {
                values.put(entry.getKey(), value);
            } else if (!listOfObjects(entry.getValue())) {
                values.put(entry.getKey(), value.isBlank() ? List.of()
                        : Arrays.stream(value.split(",")).map(String::strip).toList());
            }
        }
        Config config = ConfigFactory.empty("environment");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            config = config.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue(), "environment variable " + envName(e.getKey())));
        }
        return config;
    }

    private static boolean listOfObjects(ConfigValue list) {
        return ((ConfigList) list).stream().anyMatch(v -> v.valueType() == ConfigValueType.OBJECT);
    }

    private static void rejectUnknownKeys(Config layer, Config reference) {
        for (Map.Entry<String, ConfigValue> entry : layer.entrySet()) {
            String path = entry.getKey();
            if (!reference.hasPathOrNull(path)) {
                throw new ConfigException.BadPath(entry.getValue().origin(), path, "unknown key (not in reference.conf)");
            }
        }
    }
}
