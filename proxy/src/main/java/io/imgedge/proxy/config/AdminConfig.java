package io.imgedge.proxy.config;


import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The admin listener ({@code imgedge.admin}): health, readiness, metrics.
 *
 * @param token bearer token required on every admin call, or empty for none (loopback only)
 */
public record AdminConfig(boolean enabled, ServerConfig.Listener listener, String token) {
    static AdminConfig from(Section c) {
        boolean enabled = c.getBoolean("enabled");
        String host = c.getString("host");
        String token = c.getString("token");
        if (enabled && token.isEmpty() && !isLoopback(host)) {
            throw ConfigValues.bad(c, "token", "the admin listener is bound to " + host
                    + ", not loopback: set a token");
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
