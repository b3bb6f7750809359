package io.imgedge.proxy.config;


import java.nio.file.Path;
import java.time.Duration;

import static io.imgedge.proxy.config.ConfigValues.intAtLeast;
import static io.imgedge.proxy.config.ConfigValues.port;
import static io.imgedge.proxy.config.ConfigValues.positiveBytes;
import static io.imgedge.proxy.config.ConfigValues.positiveDuration;
import static io.imgedge.proxy.config.ConfigValues.threadsOrCores;

/**
 * Listeners and connection-level limits ({@code imgedge.server}).
 *
 * @param https          null when HTTPS is off
 * @param headerTimeout  an HTTP/1.1 request's head must arrive within this of its first byte (slow clients)
 * @param maxConnections public connections open at once; more are closed at once
 * @param nodeName       this node's name in the {@code X-Served-By} response header
 * @param pathPrefix     what every public path starts with (imgproxy's IMGPROXY_PATH_PREFIX), "" = none
 */
public record ServerConfig(Listener http, Https https, int maxInitialLine, int maxHeaderSize, Duration idleTimeout,
                           Duration headerTimeout, Duration requestTimeout, Duration shutdownGrace, int ioThreads,
                           int http2MaxStreams, int maxConnections, String nodeName, String pathPrefix) {

    /** A bound address. */
    public record Listener(String host, int port) {
    }

    /**
     * @param certFile      PEM certificate chain, or null to use a self-signed one
     * @param keyFile       PEM PKCS#8 private key, or null
     * @param selfSignedDir where a self-signed pair is made on first start
     */
    public record Https(Listener listener, Path certFile, Path keyFile, Path selfSignedDir) {
    }

    private static String nodeName(Section c) {
        String name = c.getString("node_name").strip();
        if (name.isEmpty()) {
            try {
                name = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                name = "imgedge";
            }
        }
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw ConfigValues.bad(c, "node_name", "must be 1..64 letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    /** "" or a path starting with / and not ending with one. */
    private static String pathPrefix(Section c) {
        String prefix = c.getString("path_prefix");
        if (!prefix.isEmpty() && (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("?"))) {
            throw ConfigValues.bad(c, "path_prefix", "must be \"\" or a path such as /images (a leading /, no trailing one)");
        }
        return prefix;
    }

    static ServerConfig from(Section c) {
        Https https = null;
        if (c.getBoolean("https.enabled")) {
            String cert = c.getString("https.cert_file");
            String key = c.getString("https.key_file");
            if (cert.isEmpty() != key.isEmpty()) {
                throw ConfigValues.bad(c, "https.cert_file", "set both cert_file and key_file, or neither for a self-signed pair");
            }
            https = new Https(new Listener(c.getString("https.host"), port(c, "https.port")),
                    cert.isEmpty() ? null : Path.of(cert), key.isEmpty() ? null : Path.of(key),
                    Path.of(c.getString("https.self_signed_dir")));
        }
        return new ServerConfig(new Listener(c.getString("http.host"), port(c, "http.port")), https,
                (int) positiveBytes(c, "max_initial_line"), (int) positiveBytes(c, "max_header_size"),
                positiveDuration(c, "idle_timeout"), positiveDuration(c, "header_timeout"),
                positiveDuration(c, "request_timeout"), positiveDuration(c, "shutdown_grace"),
                threadsOrCores(c, "io_threads"), intAtLeast(c, "http2_max_streams", 1), intAtLeast(c, "max_connections", 1),
                nodeName(c), pathPrefix(c));
    }
}
