package io.imgedge.proxy.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.imgedge.proxy.config.ConfigValues.positiveBytes;

/**
 * {@code POST /upload} ({@code imgedge.upload}).
 *
 * @param maxBytes largest body accepted
 * @param tenants  who may upload, each with its bearer token; none = uploads refused
 * @param rate     uploads per second per tenant, refilled continuously
 * @param burst    uploads a tenant may make at once after being idle
 */
public record UploadConfig(long maxBytes, List<Tenant> tenants, double rate, int burst) {

    public record Tenant(String name, String token) {
    }

    static UploadConfig from(Section c) {
        List<Tenant> tenants = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        List<Section> entries = c.getSections("tokens");
        for (int i = 0; i < entries.size(); i++) {
            Section entry = entries.get(i);
            if (!entry.has("tenant") || !entry.has("token") || entry.getString("token").length() < 16) {
                throw ConfigValues.bad(c, "tokens", "entry " + i + " needs a tenant and a token of at least 16 characters");
            }
            if (!tokens.add(entry.getString("token"))) {
                throw ConfigValues.bad(c, "tokens", "entry " + i + " repeats another tenant's token");
            }
            tenants.add(new Tenant(entry.getString("tenant"), entry.getString("token")));
        }
        double rate = c.getDouble("rate");
        if (rate <= 0) {
            throw ConfigValues.bad(c, "rate", "must be > 0 uploads per second, got " + rate);
        }
        return new UploadConfig(positiveBytes(c, "max_bytes"), List.copyOf(tenants), rate,
                ConfigValues.intAtLeast(c, "burst", 1));
    }
}
