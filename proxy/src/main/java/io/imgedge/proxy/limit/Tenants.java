package io.imgedge.proxy.limit;

import io.imgedge.proxy.config.UploadConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Who a bearer token belongs to. Every configured token is compared in constant time, with no
 * early exit, so timing tells nothing about which one nearly matched. Thread-safe.
 */
public final class Tenants {
    private record Entry(String tenant, byte[] header) {
    }

    private final List<Entry> entries;

    public Tenants(List<UploadConfig.Tenant> tenants) {
        this.entries = tenants.stream()
                .map(t -> new Entry(t.name(), ("Bearer " + t.token()).getBytes(StandardCharsets.UTF_8))).toList();
    }

    /** The tenant whose token {@code authorization} carries ({@code Bearer {token}}), if any. */
    public Optional<String> tenant(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        byte[] presented = authorization.strip().getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.header(), presented)) {
                found = entry.tenant();
            }
        }
        return Optional.ofNullable(found);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
