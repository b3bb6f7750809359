package io.imgedge.proxy.config;

import com.typesafe.config.ConfigException;

import java.time.Duration;
import java.util.HexFormat;

/** Typed reads of config values with range checks; failures name the key. */
final class ConfigValues {
    private ConfigValues() {
    }

    static int port(Section c, String path) {
        int port = c.getInt(path);
        if (port < 0 || port > 65_535) {
            throw bad(c, path, "must be a port number 0..65535 (0 = any free port), got " + port);
        }
        return port;
    }

    static int intAtLeast(Section c, String path, int min) {
        int value = c.getInt(path);
        if (value < min) {
            throw bad(c, path, "must be >= " + min + ", got " + value);
        }
        return value;
    }

    static int intBetween(Section c, String path, int min, int max) {
        int value = c.getInt(path);
        if (value < min || value > max) {
            throw bad(c, path, "must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    static long positiveLong(Section c, String path) {
        long value = c.getLong(path);
        if (value <= 0) {
            throw bad(c, path, "must be > 0, got " + value);
        }
        return value;
    }

    static long positiveBytes(Section c, String path) {
        long value = c.getBytes(path);
        if (value <= 0) {
            throw bad(c, path, "must be a positive size such as 50MiB, got " + value);
        }
        return value;
    }

    static Duration positiveDuration(Section c, String path) {
        Duration value = c.getDuration(path);
        if (value.isNegative() || value.isZero()) {
            throw bad(c, path, "must be a positive duration such as 5s, got " + value);
        }
        return value;
    }

    static byte[] hex(Section c, String path) {
        String text = c.getString(path).strip();
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw bad(c, path, "must be hex-encoded bytes");
        }
    }

    /** {@code 0} means "one per core". */
    static int threadsOrCores(Section c, String path) {
        int value = intAtLeast(c, path, 0);
        return value == 0 ? Runtime.getRuntime().availableProcessors() : value;
    }

    static ConfigException bad(Section c, String path, String reason) {
        return new ConfigException.BadValue(c.origin(path), c.key(path), reason);
    }
}
