package io.imgedge.proxy.origin;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which resolved addresses the remote fetcher may connect to. Pure and thread-safe.
 * Public unicast addresses are allowed; loopback and private ranges only when configured;
 * link-local (cloud metadata), multicast, broadcast, unspecified, reserved ranges and IPv4
 * embedded in IPv6 (mapped, compatible, 6to4, NAT64, Teredo) never.
 */
public record AddressPolicy(boolean allowLoopback, boolean allowPrivate) {

    /** What kind of address it is, for the decision and for messages. */
    public enum Kind {
        PUBLIC, LOOPBACK, PRIVATE, CGNAT, UNIQUE_LOCAL, LINK_LOCAL, MULTICAST, BROADCAST, UNSPECIFIED, RESERVED,
        EMBEDDED_IPV4
    }

    public boolean allows(InetAddress address) {
        return switch (classify(address)) {
            case PUBLIC -> true;
            case LOOPBACK -> allowLoopback;
            case PRIVATE, CGNAT, UNIQUE_LOCAL -> allowPrivate;
            case LINK_LOCAL, MULTICAST, BROADCAST, UNSPECIFIED, RESERVED, EMBEDDED_IPV4 -> false;
        };
    }

    public static Kind classify(InetAddress address) {
        byte[] b = address.getAddress();
        return switch (address) {
            case Inet4Address _ -> classify4(b);
            case Inet6Address _ -> classify6(b);
            default -> Kind.RESERVED;
        };
    }

    private static Kind classify4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 0) {
            return Kind.UNSPECIFIED;
        } else if (a0 == 127) {
            return Kind.LOOPBACK;
        } else if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return Kind.PRIVATE;
        } else if (a0 == 100 && (a1 & 0xc0) == 64) {
            return Kind.CGNAT;
        } else if (a0 == 169 && a1 == 254) {
            return Kind.LINK_LOCAL;
        } else if (a0 >= 224 && a0 <= 239) {
            return Kind.MULTICAST;
        } else if (a0 == 255 && a1 == 255 && a2 == 255 && (b[3] & 0xff) == 255) {
            return Kind.BROADCAST;
        } else if (a0 >= 240
                || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2))
                || (a0 == 198 && (a1 & 0xfe) == 18)
                || (a0 == 198 && a1 == 51 && a2 == 100)
                || (a0 == 203 && a1 == 0 && a2 == 113)
                || (a0 == 192 && a1 == 88 && a2 == 99)) {
            return Kind.RESERVED;
        }
        return Kind.PUBLIC;
    }

    private static Kind classify6(byte[] b) {
        boolean firstTenZero = true;
        for (int i = 0; i < 10; i++) {
            firstTenZero &= b[i] == 0;
        }
        boolean firstTwelveZero = firstTenZero && b[10] == 0 && b[11] == 0;
        if (firstTwelveZero) {
            boolean lastFourZero = b[12] == 0 && b[13] == 0 && b[14] == 0;
            if (lastFourZero && b[15] == 0) {
                return Kind.UNSPECIFIED;
            } else if (lastFourZero && b[15] == 1) {
                return Kind.LOOPBACK;
            }
            return Kind.EMBEDDED_IPV4; // IPv4-compatible ::a.b.c.d
        }
        int w0 = (b[0] & 0xff) << 8 | (b[1] & 0xff);
        int w1 = (b[2] & 0xff) << 8 | (b[3] & 0xff);
        if (firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return Kind.EMBEDDED_IPV4; // IPv4-mapped ::ffff:a.b.c.d
        } else if (w0 == 0x0064 && w1 == 0xff9b) {
            return Kind.EMBEDDED_IPV4; // NAT64 64:ff9b::/96 (and 64:ff9b:1::/48)
        } else if (w0 == 0x2002) {
            return Kind.EMBEDDED_IPV4; // 6to4
        } else if (w0 == 0x2001 && w1 == 0x0000) {
            return Kind.EMBEDDED_IPV4; // Teredo
        } else if ((w0 & 0xfe00) == 0xfc00) {
            return Kind.UNIQUE_LOCAL;
        } else if ((w0 & 0xffc0) == 0xfe80) {
            return Kind.LINK_LOCAL;
        } else if ((w0 & 0xffc0) == 0xfec0) {
            return Kind.PRIVATE; // deprecated site-local
        } else if ((w0 & 0xff00) == 0xff00) {
            return Kind.MULTICAST;
        } else if ((w0 == 0x2001 && w1 == 0x0db8) || (w0 == 0x0100 && w1 == 0 && b[4] == 0 && b[5] == 0
                && b[6] == 0 && b[7] == 0)) {
            return Kind.RESERVED; // documentation, discard-only
        }
        return Kind.PUBLIC;
    }
}
