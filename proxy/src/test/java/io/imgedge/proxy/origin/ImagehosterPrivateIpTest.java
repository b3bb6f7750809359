package io.imgedge.proxy.origin;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Hive imagehoster's {@code test/utils.ts} "isPrivateIP" table, run against our address
 * policy (no loopback, no private ranges): every address it calls private is refused, every one
 * it calls public is allowed, except the IPv6 documentation prefix 2001:db8::/32 (RFC 3849),
 * which we refuse as reserved: it is never routed, so no origin can be there.
 */
class ImagehosterPrivateIpTest {
    static final AddressPolicy POLICY = new AddressPolicy(false, false);

    static void isPrivate(String literal, boolean expected) throws Exception {
        assertEquals(!expected, POLICY.allows(InetAddress.getByName(literal)), literal);
    }

    @Test
    void isPrivateIP() throws Exception {
        // IPv4 private
        for (String ip : new String[]{"127.0.0.1", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1",
                "0.0.0.0", "224.0.0.1"}) {
            isPrivate(ip, true);
        }
        // IPv4 public
        for (String ip : new String[]{"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.1.1"}) {
            isPrivate(ip, false);
        }
        // IPv6 private
        for (String ip : new String[]{"::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1"}) {
            isPrivate(ip, true);
        }
        // IPv4-mapped IPv6, dotted and hex (the bypass the imagehoster fixed)
        for (String ip : new String[]{"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:7f00:1", "::ffff:a00:1", "::ffff:c0a8:101",
                "::ffff:a9fe:101"}) {
            isPrivate(ip, true);
        }
        isPrivate("::ffff:8.8.8.8", false);
        isPrivate("::ffff:808:808", false);
        // IPv6 public
        isPrivate("2607:f8b0:4004:800::200e", false);
        assertEquals(AddressPolicy.Kind.RESERVED, AddressPolicy.classify(InetAddress.getByName("2001:db8::1")),
                "documentation prefix: the one case where we refuse what the imagehoster allows");
    }
}
