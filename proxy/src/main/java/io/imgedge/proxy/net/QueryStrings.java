package io.imgedge.proxy.net;

import io.imgedge.proxy.error.HttpError;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Query strings ({@code a=1&b=two}) read into fields, in order. Pure. */
public final class QueryStrings {
    private QueryStrings() {
    }

    /**
     * The fields of {@code query} (null or empty: none), decoded; of a repeated name the first
     * counts, as Node's koa reads a query into strings.
     *
     * @throws HttpError 400 for an escape that does not decode
     */
    public static Map<String, String> parse(String query) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return fields;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                fields.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("malformed query string");
            }
        }
        return fields;
    }
}
