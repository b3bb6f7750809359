package io.imgedge.proxy.config;

import com.typesafe.config.Config;

/** The whole validated configuration; built once at start by {@link ConfigLoader}. */
public record ImgedgeConfig(ServerConfig server, AdminConfig admin, SigningConfig signing, SourcesConfig sources,
                            LimitsConfig limits, ProcessingConfig processing, String vipsLibrary, boolean accessLog) {

    /** Reads {@code c}, the {@code imgedge} object. */
    static ImgedgeConfig from(Config c) {
        return new ImgedgeConfig(ServerConfig.from(c.getConfig("server")), AdminConfig.from(c.getConfig("admin")),
                SigningConfig.from(c.getConfig("signing")), SourcesConfig.from(c.getConfig("sources")),
                LimitsConfig.from(c.getConfig("limits")), ProcessingConfig.from(c.getConfig("processing")),
                c.getString("vips.library"), c.getBoolean("log.access"));
    }
}
