package io.imgedge.proxy.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.imgedge.vips.Drawing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A template with its data: which layers are drawn (their {@code when} holds), what the image
 * layers' sources are (to fetch), and then the {@link Drawing} with the fetched images and the
 * filled-in texts. Pure.
 */
public final class TemplateRenderer {
    /** Data a template cannot be drawn with, naming the template, layer and field. */
    public static final class BadData extends RuntimeException {
        public BadData(String message) {
            super(message, null, false, false);
        }
    }

    private TemplateRenderer() {
    }

    /**
     * The sources the drawn image layers need, each once, in layer order.
     *
     * @throws BadData when a source's field is missing
     */
    public static List<String> sources(Template template, JsonNode data) {
        Set<String> sources = new LinkedHashSet<>();
        for (int i = 0; i < template.layers().size(); i++) {
            if (template.layers().get(i) instanceof Template.ImageLayer image && image.when().holds(data)) {
                sources.add(fill(template, i, image.source(), data));
            }
        }
        return List.copyOf(sources);
    }

    /**
     * The drawing of {@code template} with {@code data}, the image layers' bytes taken from
     * {@code images} by source.
     *
     * @throws BadData when a field is missing or cannot be formatted
     */
    public static Drawing drawing(Template template, JsonNode data, Map<String, ByteBuffer> images) {
        List<Drawing.Layer> layers = new ArrayList<>();
        for (int i = 0; i < template.layers().size(); i++) {
            Template.Layer layer = template.layers().get(i);
            if (!layer.when().holds(data)) {
                continue;
            }
            layers.add(switch (layer) {
                case Template.ImageLayer image -> {
                    String source = fill(template, i, image.source(), data);
                    ByteBuffer bytes = images.get(source);
                    if (bytes == null) {
                        throw new IllegalStateException("the image of layer " + (i + 1) + " was not fetched: " + source);
                    }
                    yield new Drawing.Picture(bytes, image.box(), image.cover(), image.anchor(), image.radius(), image.opacity());
                }
                case Template.TextLayer text -> new Drawing.Text(fill(template, i, text.text(), data), text.font(), text.size(),
                        text.colour(), text.box(), text.align(), text.maxLines(), text.shrink());
                case Template.RectLayer rect -> new Drawing.Rect(rect.box(), rect.fill(), rect.radius());
            });
        }
        return new Drawing(template.width(), template.height(), template.background(), layers);
    }

    private static String fill(Template template, int index, TemplateText text, JsonNode data) {
        try {
            return text.fill(data);
        } catch (TemplateText.MissingField e) {
            String type = switch (template.layers().get(index)) {
                case Template.ImageLayer _ -> "image";
                case Template.TextLayer _ -> "text";
                case Template.RectLayer _ -> "rect";
            };
            throw new BadData("template " + template.id() + ", layer " + (index + 1) + " (" + type + "): " + e.getMessage());
        }
    }
}
