package io.imgedge.proxy.config;


import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.url.ProcessingUrlParser;

/** The whole validated configuration; built once at start by {@link ConfigLoader}. */
public record ImgedgeConfig(ServerConfig server, AdminConfig admin, SigningConfig signing, SourcesConfig sources,
                            LimitsConfig limits, ProcessingConfig processing, CacheConfig cache, StoreConfig store,
                            UploadConfig upload, ThrottleConfig throttle, boolean hive, String vipsLibrary,
                            AccessLogConfig accessLog) {

    /** Reads {@code c}, the {@code imgedge} object. */
    static ImgedgeConfig from(Section c) {
        ImgedgeConfig config = read(c);
        try {
            ProcessingUrlParser.checkPresets(config.limits().maxResultSide(), config.processing().presets());
        } catch (HttpError e) {
            throw ConfigValues.bad(c, "processing.presets", e.getMessage());
        }
        return config;
    }

    private static ImgedgeConfig read(Section c) {
        return new ImgedgeConfig(ServerConfig.from(c.sub("server")), AdminConfig.from(c.sub("admin")),
                SigningConfig.from(c.sub("signing")), SourcesConfig.from(c.sub("sources")),
                LimitsConfig.from(c.sub("limits")), ProcessingConfig.from(c.sub("processing")),
                CacheConfig.from(c.sub("cache")), StoreConfig.from(c.sub("store")), UploadConfig.from(c.sub("upload")),
                ThrottleConfig.from(c.sub("throttle"), c.sub("redis")), c.getBoolean("hive.enabled"),
                c.getString("vips.library"), AccessLogConfig.from(c.sub("log.access")));
    }
}
