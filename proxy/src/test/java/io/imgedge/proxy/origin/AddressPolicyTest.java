package io.imgedge.proxy.origin;

import io.imgedge.proxy.origin.AddressPolicy.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The classifier on literal addresses: no name is resolved and no connection is made. */
class AddressPolicyTest {
    @ParameterizedTest
    @CsvSource({
            "8.8.8.8, PUBLIC", "1.1.1.1, PUBLIC", "93.184.216.34, PUBLIC", "172.32.0.1, PUBLIC", "100.128.0.1, PUBLIC",
            "127.0.0.1, LOOPBACK", "127.255.255.254, LOOPBACK",
            "10.0.0.1, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE", "192.168.1.1, PRIVATE",
            "100.64.0.1, CGNAT", "100.127.255.255, CGNAT",
            "169.254.169.254, LINK_LOCAL", "169.254.0.1, LINK_LOCAL",
            "224.0.0.1, MULTICAST", "239.255.255.255, MULTICAST",
            "255.255.255.255, BROADCAST", "0.0.0.0, UNSPECIFIED", "0.1.2.3, UNSPECIFIED",
            "240.0.0.1, RESERVED", "192.0.2.1, RESERVED", "198.18.0.1, RESERVED", "198.51.100.7, RESERVED",
            "203.0.113.9, RESERVED", "192.0.0.8, RESERVED",
            "2606:4700:4700::1111, PUBLIC", "2a00:1450:4001:80b::200e, PUBLIC",
            "::1, LOOPBACK", "::, UNSPECIFIED",
            "fe80::1, LINK_LOCAL", "fc00::1, UNIQUE_LOCAL", "fd12:3456::1, UNIQUE_LOCAL", "fec0::1, PRIVATE",
            "ff02::1, MULTICAST",
            "::ffff:7f00:1, LOOPBACK", "::7f00:1, EMBEDDED_IPV4", "64:ff9b::a9fe:a9fe, EMBEDDED_IPV4",
            "2002:a9fe:a9fe::1, EMBEDDED_IPV4", "2001:0:4136:e378::1, EMBEDDED_IPV4",
            "2001:db8::1, RESERVED", "100::1, RESERVED",
    })
    void classify(String literal, Kind kind) throws UnknownHostException {
        // Java turns IPv4-mapped IPv6 literals into IPv4 addresses: ::ffff:7f00:1 is 127.0.0.1
        assertEquals(kind, AddressPolicy.classify(InetAddress.getByName(literal)), literal);
    }

    @ParameterizedTest
    @CsvSource({
            "8.8.8.8, false, false, true",
            "127.0.0.1, false, false, false", "127.0.0.1, true, false, true", "::1, true, false, true",
            "10.1.2.3, false, false, false", "10.1.2.3, false, true, true", "100.64.0.1, false, true, true",
            "fd00::1, false, true, true", "169.254.169.254, true, true, false", "0.0.0.0, true, true, false",
            "64:ff9b::a00:1, true, true, false", "255.255.255.255, true, true, false", "224.0.0.1, true, true, false",
    })
    void allows(String literal, boolean loopback, boolean privateRanges, boolean allowed) throws UnknownHostException {
        assertEquals(allowed, new AddressPolicy(loopback, privateRanges).allows(InetAddress.getByName(literal)), literal);
    }
}
