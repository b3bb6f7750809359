package io.imgedge.proxy.limit;

import io.imgedge.proxy.net.AddressRange;
import java.net.InetAddress;
import java.util.List;

/**
 * Who a request comes from: the peer, unless the peer is a trusted proxy, then the rightmost
 * {@code X-Forwarded-For} hop that is not one (earlier hops are the client's own word and can be
 * forged). Pure.
 */
public record ClientAddress(List<AddressRange> trustedProxies) {

    public InetAddress of(InetAddress peer, String forwardedFor) {
        if (!trusted(peer) || forwardedFor == null || forwardedFor.isBlank()) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        InetAddress client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop;
            try {
                hop = InetAddress.ofLiteral(hops[i].strip());
            } catch (IllegalArgumentException e) {
                return client; // garbage: trust nothing further left
            }
            client = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean trusted(InetAddress address) {
        for (AddressRange range : trustedProxies) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The throttling key of an address: IPv4 as is, IPv6 by its /64 (one subscriber's whole
     * network, which it can rotate addresses within at will).
     */
    public static String key(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 16) {
            StringBuilder net = new StringBuilder("ip6:");
            for (int i = 0; i < 8; i++) {
                net.append(String.format("%02x", b[i]));
            }
            return net.toString();
        }
        return "ip:" + address.getHostAddress();
    }
}
