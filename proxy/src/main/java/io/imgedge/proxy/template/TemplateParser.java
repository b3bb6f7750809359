package io.imgedge.proxy.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.imgedge.vips.Drawing;
import io.imgedge.vips.TransformSpec;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a template document (JSON) and checks all of it before it is used: unknown keys, boxes,
 * sizes, colours, placeholders and {@code when} conditions; a problem is a
 * {@link TemplateException} naming the template, the layer and the key. Pure.
 */
public final class TemplateParser {
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final Set<String> TOP = Set.of("id", "tenant", "width", "height", "background", "layers", "sample");
    private static final Set<String> COMMON = Set.of("type", "box", "when");
    private static final Set<String> IMAGE = Set.of("source", "fit", "gravity", "focus", "radius", "opacity");
    private static final Set<String> TEXT = Set.of("text", "font", "size", "color", "align", "max_lines", "shrink");
    private static final Set<String> RECT = Set.of("fill", "radius");
    private static final String ID = "[a-z0-9][a-z0-9_-]{0,63}";

    /** A template that cannot be used, and why. */
    public static final class TemplateException extends RuntimeException {
        public TemplateException(String message) {
            super(message, null, false, false);
        }
    }

    private final int maxSide;

    /** @param maxSide the largest canvas side ({@code limits.max_result_side}) */
    public TemplateParser(int maxSide) {
        this.maxSide = maxSide;
    }

    /** @throws TemplateException naming what is wrong */
    public Template parse(byte[] document) {
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (JsonProcessingException e) {
            throw new TemplateException("template: not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new TemplateException("template: not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new TemplateException("template: not a JSON object");
        }
        String id = root.path("id").asText("");
        String where = "template " + (id.isEmpty() ? "(no id)" : id);
        if (!id.matches(ID)) {
            throw new TemplateException(where + ": id must be 1-64 of a-z, 0-9, _ and -, starting with a letter or digit");
        }
        unknown(root, TOP, where);
        String tenant = text(root, "tenant", where, null);
        if (!tenant.matches(ID)) {
            throw new TemplateException(where + ": tenant must be 1-64 of a-z, 0-9, _ and -");
        }
        int width = integer(root, "width", where, 1, maxSide, null);
        int height = integer(root, "height", where, 1, maxSide, null);
        Drawing.Colour background = colour(root, "background", where, "#ffffff");
        JsonNode layers = root.path("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            throw new TemplateException(where + ": layers must be a list of at least one layer");
        }
        List<Template.Layer> parsed = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            parsed.add(layer(layers.get(i), where + ", layer " + (i + 1), width, height));
        }
        JsonNode sample = root.path("sample");
        if (!sample.isMissingNode() && !sample.isObject()) {
            throw new TemplateException(where + ": sample must be an object of fields");
        }
        return new Template(id, tenant, version(root), width, height, background, parsed,
                sample.isObject() ? sample : JSON.createObjectNode());
    }

    private Template.Layer layer(JsonNode layer, String where, int width, int height) {
        if (!layer.isObject()) {
            throw new TemplateException(where + ": not an object");
        }
        String type = layer.path("type").asText("");
        String at = where + " (" + (type.isEmpty() ? "no type" : type) + ")";
        Drawing.Box box = box(layer, at, width, height);
        Condition when = Condition.ALWAYS;
        if (layer.has("when")) {
            try {
                when = Condition.parse(text(layer, "when", at, null));
            } catch (IllegalArgumentException e) {
                throw new TemplateException(at + ": when: " + e.getMessage());
            }
        }
        return switch (type) {
            case "image" -> {
                unknown(layer, union(IMAGE), at);
                String fit = text(layer, "fit", at, "cover");
                if (!fit.equals("cover") && !fit.equals("contain")) {
                    throw new TemplateException(at + ": fit must be cover or contain, not '" + fit + "'");
                }
                yield new Template.ImageLayer(template(layer, "source", at), box, fit.equals("cover"), anchor(layer, at),
                        integer(layer, "radius", at, 0, 10_000, 0), fraction(layer, "opacity", at), when);
            }
            case "text" -> {
                unknown(layer, union(TEXT), at);
                String align = text(layer, "align", at, "left");
                Drawing.Align a = switch (align) {
                    case "left" -> Drawing.Align.LEFT;
                    case "center", "centre" -> Drawing.Align.CENTRE;
                    case "right" -> Drawing.Align.RIGHT;
                    default -> throw new TemplateException(at + ": align must be left, center or right, not '" + align + "'");
                };
                String font = text(layer, "font", at, "DejaVu Sans");
                if (!font.matches("[A-Za-z0-9 ,-]{1,100}")) {
                    throw new TemplateException(at + ": font must be a family and style such as \"DejaVu Sans Bold\"");
                }
                JsonNode shrink = layer.path("shrink");
                if (!shrink.isMissingNode() && !shrink.isBoolean()) {
                    throw new TemplateException(at + ": shrink must be true or false");
                }
                yield new Template.TextLayer(template(layer, "text", at), font, integer(layer, "size", at, 1, 1000, 32),
                        colour(layer, "color", at, "#000000"), box, a, integer(layer, "max_lines", at, 0, 100, 0),
                        shrink.asBoolean(false), when);
            }
            case "rect" -> {
                unknown(layer, union(RECT), at);
                yield new Template.RectLayer(box, colour(layer, "fill", at, null), integer(layer, "radius", at, 0, 10_000, 0), when);
            }
            default -> throw new TemplateException(at + ": type must be image, text or rect");
        };
    }

    /** Where a covering picture is cropped: {@code gravity} (a direction, center or smart) or a {@code focus} point [x, y] in 0..1. */
    private static TransformSpec.Anchor anchor(JsonNode layer, String at) {
        JsonNode focus = layer.path("focus");
        if (!focus.isMissingNode()) {
            if (layer.has("gravity")) {
                throw new TemplateException(at + ": give gravity or focus, not both");
            }
            if (!focus.isArray() || focus.size() != 2 || !focus.get(0).isNumber() || !focus.get(1).isNumber()
                    || focus.get(0).asDouble() < 0 || focus.get(0).asDouble() > 1 || focus.get(1).asDouble() < 0
                    || focus.get(1).asDouble() > 1) {
                throw new TemplateException(at + ": focus must be [x, y], each from 0 to 1");
            }
            return new TransformSpec.Anchor(TransformSpec.Gravity.FOCUS, focus.get(0).asDouble(), focus.get(1).asDouble());
        }
        String gravity = text(layer, "gravity", at, "center");
        TransformSpec.Gravity type = switch (gravity) {
            case "center", "centre" -> TransformSpec.Gravity.CENTRE;
            case "smart" -> TransformSpec.Gravity.SMART;
            case "north" -> TransformSpec.Gravity.NORTH;
            case "south" -> TransformSpec.Gravity.SOUTH;
            case "east" -> TransformSpec.Gravity.EAST;
            case "west" -> TransformSpec.Gravity.WEST;
            case "north_east" -> TransformSpec.Gravity.NORTH_EAST;
            case "north_west" -> TransformSpec.Gravity.NORTH_WEST;
            case "south_east" -> TransformSpec.Gravity.SOUTH_EAST;
            case "south_west" -> TransformSpec.Gravity.SOUTH_WEST;
            default -> throw new TemplateException(at + ": gravity must be center, smart, north, south, east, west, "
                    + "north_east, north_west, south_east or south_west, not '" + gravity + "'");
        };
        return new TransformSpec.Anchor(type, 0, 0);
    }

    private static Drawing.Box box(JsonNode layer, String at, int width, int height) {
        JsonNode box = layer.path("box");
        if (!box.isArray() || box.size() != 4 || !box.get(0).isInt() || !box.get(1).isInt() || !box.get(2).isInt()
                || !box.get(3).isInt()) {
            throw new TemplateException(at + ": box must be [x, y, width, height] in whole pixels");
        }
        int x = box.get(0).asInt();
        int y = box.get(1).asInt();
        int w = box.get(2).asInt();
        int h = box.get(3).asInt();
        if (w < 1 || h < 1 || x < 0 || y < 0 || x + w > width || y + h > height) {
            throw new TemplateException(at + ": box [" + x + ", " + y + ", " + w + ", " + h + "] must lie within the "
                    + width + "x" + height + " canvas");
        }
        return new Drawing.Box(x, y, w, h);
    }

    private static TemplateText template(JsonNode layer, String key, String at) {
        try {
            return TemplateText.parse(text(layer, key, at, null));
        } catch (IllegalArgumentException e) {
            throw new TemplateException(at + ": " + key + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String key, String at, String fallback) {
        JsonNode value = node.path(key);
        if (value.isMissingNode() && fallback != null) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw new TemplateException(at + ": " + key + (value.isMissingNode() ? " is missing" : " must be text"));
        }
        return value.asText();
    }

    private static int integer(JsonNode node, String key, String at, int min, int max, Integer fallback) {
        JsonNode value = node.path(key);
        if (value.isMissingNode() && fallback != null) {
            return fallback;
        }
        if (!value.isInt() || value.asInt() < min || value.asInt() > max) {
            throw new TemplateException(at + ": " + key + " must be a whole number from " + min + " to " + max);
        }
        return value.asInt();
    }

    private static double fraction(JsonNode node, String key, String at) {
        JsonNode value = node.path(key);
        if (value.isMissingNode()) {
            return 1;
        }
        if (!value.isNumber() || value.asDouble() < 0 || value.asDouble() > 1) {
            throw new TemplateException(at + ": " + key + " must be a number from 0 to 1");
        }
        return value.asDouble();
    }

    private static Drawing.Colour colour(JsonNode node, String key, String at, String fallback) {
        try {
            return Drawing.Colour.parse(text(node, key, at, fallback));
        } catch (IllegalArgumentException e) {
            throw new TemplateException(at + ": " + key + ": " + e.getMessage());
        }
    }

    private static Set<String> union(Set<String> own) {
        Set<String> all = new HashSet<>(COMMON);
        all.addAll(own);
        return all;
    }

    private static void unknown(JsonNode node, Set<String> known, String at) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new TemplateException(at + ": unknown key '" + name + "'");
            }
        }
    }

    /** A digest of the document in one spelling (keys sorted), so that only a change of meaning is a new version. */
    private static String version(JsonNode root) {
        try {
            Object canonical = JSON.treeToValue(root, Object.class);
            byte[] bytes = JSON.writeValueAsBytes(canonical);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest a parsed document", e);
        }
    }
}
