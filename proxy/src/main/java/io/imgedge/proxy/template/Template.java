package io.imgedge.proxy.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.imgedge.vips.Drawing;
import io.imgedge.vips.TransformSpec;

import java.util.List;
import java.util.Objects;

/**
 * An image template: a tenant's canvas and its ordered layers, each drawn when its
 * {@code when} holds for the data. Parsed and checked by {@link TemplateParser}; immutable.
 *
 * @param version a digest of the document: a changed template is a new version (results of the old age out)
 * @param sample  data to preview the template with
 */
public record Template(String id, String tenant, String version, int width, int height, Drawing.Colour background,
                       List<Layer> layers, JsonNode sample) {
    public Template {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        layers = List.copyOf(layers);
    }

    /** One layer: where it goes and when it is drawn. */
    public sealed interface Layer {
        Drawing.Box box();

        Condition when();
    }

    /** A picture: from a field or a fixed source (a URL the source rules allow), covering (cropped at {@code anchor}) or fitting its box. */
    public record ImageLayer(TemplateText source, Drawing.Box box, boolean cover, TransformSpec.Anchor anchor, int radius,
                             double opacity, Condition when) implements Layer {
    }

    /** Text with the data filled in. */
    public record TextLayer(TemplateText text, String font, int size, Drawing.Colour colour, Drawing.Box box,
                            Drawing.Align align, int maxLines, boolean shrink, Condition when) implements Layer {
    }

    /** A filled rectangle. */
    public record RectLayer(Drawing.Box box, Drawing.Colour fill, int radius, Condition when) implements Layer {
    }
}
