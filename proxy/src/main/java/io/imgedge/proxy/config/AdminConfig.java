package io.imgedge.proxy.config;


import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The admin listener ({@code imgedge.admin}): health, readiness, metrics.
 *
 * @param token bearer token required on every admin call, or empty for none (loopback only)
 */
public record AdminConfig(boolean enabled, ServerConfig.Listener listener, String token) {
    /** The shortest token an admin listener off loopback takes: guessing it must not be practical. */
    static final int MIN_TOKEN = 16;

    static AdminConfig from(Section c) {
        boolean enabled = c.getBoolean("enabled");
        String host = c.getString("host");
        String token = c.getString("token");
        if (enabled && token.length() < MIN_TOKEN && !isLoopback(host)) {
            throw ConfigValues.bad(c, "token", "the admin listener is bound to " + host
                    + ", not loopback: set a token of at least " + MIN_TOKEN + " characters");
        }
        return new AdminConfig(enabled, new ServerConfig.Listener(host, ConfigValues.port(c, "port")), token);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
