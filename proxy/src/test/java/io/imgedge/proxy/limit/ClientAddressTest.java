package io.imgedge.proxy.limit;

import io.imgedge.proxy.net.AddressRange;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientAddressTest {
    static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void ranges() {
        AddressRange ten = AddressRange.parse("10.0.0.0/8");
        assertTrue(ten.contains(ip("10.255.1.2")));
        assertFalse(ten.contains(ip("11.0.0.1")));
        assertFalse(ten.contains(ip("::1")), "other family");
        AddressRange odd = AddressRange.parse("192.168.4.0/22");
        assertTrue(odd.contains(ip("192.168.7.255")));
        assertFalse(odd.contains(ip("192.168.8.0")));
        assertTrue(AddressRange.parse("fd00::/8").contains(ip("fd12::1")));
        assertTrue(AddressRange.parse("127.0.0.1").contains(ip("127.0.0.1")));
        assertFalse(AddressRange.parse("127.0.0.1").contains(ip("127.0.0.2")));
        assertTrue(AddressRange.parse("0.0.0.0/0").contains(ip("8.8.8.8")));
        for (String bad : new String[]{"example.com/8", "10.0.0.0/33", "10.0.0.0/x", "::/129", ""}) {
            assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(bad), bad);
        }
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() {
        ClientAddress clients = new ClientAddress(List.of(AddressRange.parse("10.0.0.0/8")));
        InetAddress proxy = ip("10.0.0.5");
        InetAddress stranger = ip("203.0.113.9");
        assertEquals(stranger, clients.of(stranger, "1.2.3.4"), "an untrusted peer's header is ignored");
        assertEquals(ip("198.51.100.7"), clients.of(proxy, "198.51.100.7"));
        assertEquals(ip("198.51.100.7"), clients.of(proxy, "6.6.6.6, 198.51.100.7, 10.0.0.9"),
                "the rightmost untrusted hop: what the client wrote before it is not believed");
        assertEquals(ip("10.0.0.1"), clients.of(proxy, "10.0.0.1, 10.0.0.9"), "all trusted: the leftmost");
        assertEquals(proxy, clients.of(proxy, "not-an-ip"));
        assertEquals(ip("198.51.100.7"), clients.of(proxy, "junk, 198.51.100.7"));
        assertEquals(proxy, clients.of(proxy, null));
    }

    @Test
    void ipv6ClientsAreKeyedByTheirSlash64() {
        assertEquals(ClientAddress.key(ip("2001:db8:1:2:aaaa::1")), ClientAddress.key(ip("2001:db8:1:2:bbbb::9")));
        assertFalse(ClientAddress.key(ip("2001:db8:1:2::1")).equals(ClientAddress.key(ip("2001:db8:1:3::1"))));
        assertEquals("ip:192.0.2.1", ClientAddress.key(ip("192.0.2.1")));
    }
}
