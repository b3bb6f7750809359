package io.imgedge.proxy.net;

import java.net.InetAddress;

/**
 * An address block in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address). Pure.
 */
public record AddressRange(byte[] network, int prefix) {

    /**
     * @throws IllegalArgumentException naming what is wrong (no name lookups: literals only)
     */
    public static AddressRange parse(String text) {
        int slash = text.indexOf('/');
        String literal = slash < 0 ? text.strip() : text.substring(0, slash).strip();
        byte[] address;
        try {
            address = InetAddress.ofLiteral(literal).getAddress();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address or CIDR range");
        }
        int bits = address.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
        }
        return new AddressRange(address, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (b[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (b[full] & mask) == (network[full] & mask);
    }
}
