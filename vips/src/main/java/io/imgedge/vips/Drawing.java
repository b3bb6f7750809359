package io.imgedge.vips;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A picture made of layers (an image template rendered with its data): a canvas of a size and
 * colour, then each layer laid over it in order, clipped to the canvas. Pure data; drawn by
 * {@link Vips#draw}.
 */
public record Drawing(int width, int height, Colour background, List<Layer> layers) {
    public Drawing {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a canvas is at least 1x1");
        }
        Objects.requireNonNull(background, "background");
        layers = List.copyOf(layers);
    }

    /** An sRGB colour, 8 bits a channel, with its opacity from 0 to 1. */
    public record Colour(int red, int green, int blue, double alpha) {
        public static final Colour WHITE = new Colour(255, 255, 255, 1);
        public static final Colour TRANSPARENT = new Colour(0, 0, 0, 0);

        public Colour {
            if (red < 0 || red > 255 || green < 0 || green > 255 || blue < 0 || blue > 255 || !(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("a colour's channels are 0..255, its opacity 0..1");
            }
        }

        /**
         * {@code #rgb}, {@code #rrggbb} or {@code #rrggbbaa}.
         *
         * @throws IllegalArgumentException for anything else
         */
        public static Colour parse(String text) {
            String hex = text.strip();
            if (!hex.matches("#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")) {
                throw new IllegalArgumentException("'" + text + "' is not a colour (#rgb, #rrggbb or #rrggbbaa)");
            }
            hex = hex.substring(1);
            if (hex.length() == 3) {
                hex = "" + hex.charAt(0) + hex.charAt(0) + hex.charAt(1) + hex.charAt(1) + hex.charAt(2) + hex.charAt(2);
            }
            int alpha = hex.length() == 8 ? Integer.parseInt(hex.substring(6, 8), 16) : 255;
            return new Colour(Integer.parseInt(hex.substring(0, 2), 16), Integer.parseInt(hex.substring(2, 4), 16),
                    Integer.parseInt(hex.substring(4, 6), 16), alpha / 255.0);
        }

        /** As SVG writes it, without the opacity. */
        String svg() {
            return String.format("#%02x%02x%02x", red, green, blue);
        }
    }

    /** Where a layer goes, in canvas pixels. */
    public record Box(int x, int y, int width, int height) {
        public Box {
            if (width < 1 || height < 1) {
                throw new IllegalArgumentException("a box is at least 1x1");
            }
        }
    }

    public enum Align { LEFT, CENTRE, RIGHT }

    /** One layer. */
    public sealed interface Layer {
        Box box();
    }

    /**
     * An image (its encoded bytes) in its box: {@code cover} fills the box and crops what is over
     * where {@code anchor} says (a direction, the most salient part for SMART, a focus point),
     * else it fits within the box, centred; corners rounded by {@code radius}, faded by {@code opacity}.
     */
    public record Picture(ByteBuffer image, Box box, boolean cover, TransformSpec.Anchor anchor, int radius, double opacity)
            implements Layer {
        public static final TransformSpec.Anchor CENTRE = new TransformSpec.Anchor(TransformSpec.Gravity.CENTRE, 0, 0);

        public Picture {
            image = image.asReadOnlyBuffer();
            Objects.requireNonNull(box, "box");
            Objects.requireNonNull(anchor, "anchor");
        }

        /** A picture cropped at the centre when it covers its box. */
        public Picture(ByteBuffer image, Box box, boolean cover, int radius, double opacity) {
            this(image, box, cover, CENTRE, radius, opacity);
        }
    }

    /**
     * Plain text (never markup) in its box: {@code font} is a Pango family and style ("DejaVu Sans
     * Bold"), {@code size} in pixels; wrapped at the box's width, aligned, cut to {@code maxLines}
     * lines with an ellipsis (0 = as many as fit the box), or with {@code shrink} made smaller
     * until it fits the box.
     */
    public record Text(String text, String font, int size, Colour colour, Box box, Align align, int maxLines,
                       boolean shrink) implements Layer {
        public Text {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(font, "font");
            Objects.requireNonNull(colour, "colour");
            Objects.requireNonNull(box, "box");
            Objects.requireNonNull(align, "align");
            if (size < 1 || maxLines < 0) {
                throw new IllegalArgumentException("a text's size is at least 1 and its line count not negative");
            }
        }
    }

    /** A filled rectangle, corners rounded by {@code radius}; its colour's opacity is the rectangle's. */
    public record Rect(Box box, Colour fill, int radius) implements Layer {
        public Rect {
            Objects.requireNonNull(box, "box");
            Objects.requireNonNull(fill, "fill");
        }
    }
}
