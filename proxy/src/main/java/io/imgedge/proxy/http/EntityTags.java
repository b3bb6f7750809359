package io.imgedge.proxy.http;

/** {@code If-None-Match} evaluation (RFC 9110 §13.1.2, weak comparison). Pure. */
final class EntityTags {
    private EntityTags() {
    }

    static boolean noneMatchFails(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
            return false;
        }
        String opaque = opaque(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || opaque(tag).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
