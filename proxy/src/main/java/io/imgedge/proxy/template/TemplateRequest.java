package io.imgedge.proxy.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.net.QueryStrings;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.vips.ImageFormat;

import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a template URL asks for: {@code /t/{signature}/{template}[/{options}...]/{base64url(JSON data)}[.{ext}]}
 * or {@code /t/{signature}/{template}?field=value&...}, signed like processing URLs over what
 * follows the signature (the query included in the query form, so no field can be changed).
 * Processing options (imgproxy's, {@code rs:fit:300:300}) may come between the template and the
 * data; they work on the rendering as on a source.
 *
 * @param options the processing option segments, as written; none = the rendering as it is
 * @param format  the extension's, or empty for the default
 */
public record TemplateRequest(String template, List<String> options, ObjectNode data, Optional<ImageFormat> format) {
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public TemplateRequest {
        Objects.requireNonNull(template, "template");
        options = List.copyOf(options);
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(format, "format");
    }

    /** The data in one spelling (keys sorted), so that equal data is one cache entry. */
    public String canonicalData() {
        try {
            return JSON.writeValueAsString(JSON.treeToValue(data, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot spell parsed data", e);
        }
    }

    /**
     * @param path  the path after {@code /t}
     * @param query the raw query, or null
     * @throws HttpError 403 for a bad signature, 400 for a bad URL or data
     */
    public static TemplateRequest parse(String path, String query, SignatureVerifier verifier) {
        String[] parts = path.split("/", -1);
        if (parts.length < 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw HttpError.badRequest("a template URL is /t/{signature}/{template}/{data} or /t/{signature}/{template}?fields");
        }
        boolean queryForm = parts.length == 3;
        verifier.verify(parts[1], path.substring(parts[1].length() + 1) + (queryForm && query != null ? "?" + query : ""));
        String template = parts[2];
        if (queryForm) {
            return new TemplateRequest(template, List.of(), fields(query), Optional.empty());
        }
        List<String> options = List.of(parts).subList(3, parts.length - 1);
        if (options.stream().anyMatch(String::isEmpty)) {
            throw HttpError.badRequest("a template URL has an empty segment");
        }
        String data = parts[parts.length - 1];
        Optional<ImageFormat> format = Optional.empty();
        int dot = data.lastIndexOf('.');
        if (dot >= 0) {
            String ext = data.substring(dot + 1);
            format = Optional.of(ImageFormat.fromExtension(ext).filter(ImageFormat::writable)
                    .orElseThrow(() -> HttpError.badRequest("'" + ext + "' is not an output format")));
            data = data.substring(0, dot);
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(Base64.getUrlDecoder().decode(data));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw HttpError.badRequest("the template's data is not base64url-encoded JSON");
        }
        if (parsed == null || !parsed.isObject()) {
            throw HttpError.badRequest("the template's data must be a JSON object of fields");
        }
        return new TemplateRequest(template, options, (ObjectNode) parsed, format);
    }

    private static ObjectNode fields(String query) {
        ObjectNode data = JSON.createObjectNode();
        QueryStrings.parse(query).forEach(data::put);
        return data;
    }
}
