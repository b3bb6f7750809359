package io.imgedge.vips;

import io.imgedge.vips.Drawing.Colour;
import io.imgedge.vips.LibVips.NamedArg;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Draws a {@link Drawing}: a canvas of its colour, each layer made in RGBA and composited over it
 * at its place (clipped to the canvas): pictures loaded within the limits and thumbnailed into
 * their box, text set by Pango ({@code vips_text}, its markup escaped), rectangles and rounded
 * corners drawn as SVG. Opaque canvases come out without alpha.
 */
final class Draw {
    private static final int BLEND_OVER = 2;
    private static final int BLEND_DEST_IN = 8;
    private static final int INTERESTING_ATTENTION = 3;
    /** A side thumbnailing leaves free. */
    private static final int UNBOUNDED = 10_000_000;
    private static final int FORMAT_UCHAR = Native.FORMAT_UCHAR;
    private static final int INTERPRETATION_SRGB = Native.INTERPRETATION_SRGB;
    private static final String ELLIPSIS = "\u2026";

    /** A layer made, and where its top-left corner goes. */
    private record Placed(MemorySegment image, int x, int y) {
    }

    private Draw() {
    }

    static MemorySegment draw(Native n, Drawing drawing, ImageLimits limits) throws Throwable {
        MemorySegment canvas = solid(n, drawing.width(), drawing.height(), drawing.background());
        for (Drawing.Layer layer : drawing.layers()) {
            Placed placed = switch (layer) {
                case Drawing.Rect rect -> new Placed(svg(n, rect.box().width(), rect.box().height(), rect.radius(), rect.fill()),
                        rect.box().x(), rect.box().y());
                case Drawing.Picture picture -> picture(n, picture, limits);
                case Drawing.Text text -> text.text().isBlank() ? null : text(n, text);
            };
            if (placed == null) {
                continue; // nothing to draw
            }
            MemorySegment out = n.arena.allocate(ADDRESS);
            canvas = n.call("vips_composite2", List.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT),
                    List.of(canvas, placed.image(), out, BLEND_OVER), List.of(new NamedArg("x", placed.x()),
                            new NamedArg("y", placed.y())), out, VipsException.Reason.OPERATION_FAILED, "cannot lay a layer");
        }
        MemorySegment eight = n.op("vips_cast", canvas, List.of(JAVA_INT), List.of(FORMAT_UCHAR), List.of());
        return drawing.background().alpha() < 1 ? eight
                : n.op("vips_extract_band", eight, List.of(JAVA_INT), List.of(0), List.of(new NamedArg("n", 3)));
    }

    /** A {@code width x height} RGBA image of one colour. */
    static MemorySegment solid(Native n, int width, int height, Colour colour) throws Throwable {
        MemorySegment out = n.arena.allocate(ADDRESS);
        MemorySegment black = n.call("vips_black", List.of(ADDRESS, JAVA_INT, JAVA_INT), List.of(out, width, height),
                List.of(new NamedArg("bands", 4)), out, VipsException.Reason.OPERATION_FAILED, "cannot make a canvas");
        MemorySegment a = n.arena.allocateFrom(JAVA_DOUBLE, 0, 0, 0, 0);
        MemorySegment b = n.arena.allocateFrom(JAVA_DOUBLE, colour.red(), colour.green(), colour.blue(), colour.alpha() * 255);
        MemorySegment filled = n.op("vips_linear", black, List.of(ADDRESS, ADDRESS, JAVA_INT), List.of(a, b, 4), List.of());
        MemorySegment eight = n.op("vips_cast", filled, List.of(JAVA_INT), List.of(FORMAT_UCHAR), List.of());
        return n.op("vips_copy", eight, List.of(), List.of(), List.of(new NamedArg("interpretation", INTERPRETATION_SRGB)));
    }

    /** A rounded rectangle of {@code fill}, drawn by libvips's SVG loader. */
    private static MemorySegment svg(Native n, int width, int height, int radius, Colour fill) throws Throwable {
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\"><rect width=\""
                + width + "\" height=\"" + height + "\" rx=\"" + radius + "\" fill=\"" + fill.svg() + "\" fill-opacity=\""
                + fill.alpha() + "\"/></svg>";
        MemorySegment buf = n.copyIn(ByteBuffer.wrap(svg.getBytes(StandardCharsets.US_ASCII)));
        MemorySegment out = n.arena.allocate(ADDRESS);
        return n.call("vips_svgload_buffer", List.of(ADDRESS, JAVA_LONG, ADDRESS), List.of(buf, buf.byteSize(), out),
                List.of(), out, VipsException.Reason.OPERATION_FAILED, "cannot draw a rectangle");
    }

    private static Placed picture(Native n, Drawing.Picture picture, ImageLimits limits) throws Throwable {
        MemorySegment buf = n.copyIn(picture.image().duplicate());
        ImageInfo info = Vips.checkedHeader(n, buf, limits);
        Drawing.Box box = picture.box();
        int width = box.width();
        int height = box.height();
        if (picture.cover()) {
            // scaled to cover the box (the side that overflows left unbounded), cropped where the anchor says
            boolean turned = info.orientation() >= 5;
            double sourceWidth = turned ? info.height() : info.width();
            double sourceHeight = turned ? info.width() : info.height();
            boolean wider = sourceWidth / sourceHeight > width / (double) height;
            width = wider ? UNBOUNDED : width;
            height = wider ? height : UNBOUNDED;
        }
        MemorySegment out = n.arena.allocate(ADDRESS);
        MemorySegment thumb = n.call("vips_thumbnail_buffer", List.of(ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT),
                List.of(buf, buf.byteSize(), out, width), List.of(new NamedArg("height", height),
                        new NamedArg("option_string", Native.LOAD_OPTIONS)), // a truncated image is an error, not grey
                out, VipsException.Reason.CORRUPT_INPUT, "cannot decode a layer's image");
        MemorySegment image = n.rgba(thumb);
        if (picture.cover()) {
            image = cropped(n, image, box, picture.anchor());
        }
        width = n.width(image);
        height = n.height(image);
        if (picture.radius() > 0) {
            MemorySegment mask = svg(n, width, height, picture.radius(), Colour.WHITE);
            MemorySegment cut = n.arena.allocate(ADDRESS);
            image = n.call("vips_composite2", List.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT), List.of(image, mask, cut, BLEND_DEST_IN),
                    List.of(), cut, VipsException.Reason.OPERATION_FAILED, "cannot round a layer's corners");
        }
        image = n.faded(image, picture.opacity());
        return new Placed(image, box.x() + (box.width() - width) / 2, box.y() + (box.height() - height) / 2);
    }

    /** The box's part of an image that covers it: the most salient for SMART, else where the anchor places it. */
    private static MemorySegment cropped(Native n, MemorySegment image, Drawing.Box box, TransformSpec.Anchor anchor)
            throws Throwable {
        int width = Math.min(box.width(), n.width(image));
        int height = Math.min(box.height(), n.height(image));
        if (anchor.type() == TransformSpec.Gravity.SMART) {
            // smartcrop reads the image more than once: not from a sequential decode
            return n.op("vips_smartcrop", n.inMemory(image), List.of(JAVA_INT, JAVA_INT), List.of(width, height),
                    List.of(new NamedArg("interesting", INTERESTING_ATTENTION)));
        }
        Placement at = Placement.of(n.width(image), n.height(image), width, height, anchor, 1);
        return n.op("vips_extract_area", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                List.of(at.left(), at.top(), width, height), List.of());
    }

    private static Placed text(Native n, Drawing.Text text) throws Throwable {
        Drawing.Box box = text.box();
        String content = text.text();
        MemorySegment mask = set(n, text, content);
        if (text.maxLines() > 0 && !text.shrink()) {
            double most = text.maxLines() * lineHeight(n, text) * 1.25;
            if (n.height(mask) > most) {
                String[] words = content.split("\\s+");
                int low = 0;
                int high = words.length - 1;
                while (low < high) { // the most words that, with an ellipsis, keep to the lines
                    int mid = (low + high + 1) / 2;
                    if (n.height(set(n, text, String.join(" ", List.of(words).subList(0, mid)) + ELLIPSIS)) <= most) {
                        low = mid;
                    } else {
                        high = mid - 1;
                    }
                }
                mask = set(n, text, String.join(" ", List.of(words).subList(0, low)) + ELLIPSIS);
            }
        }
        int width = Math.min(n.width(mask), box.width());
        int height = Math.min(n.height(mask), box.height());
        if (width < n.width(mask) || height < n.height(mask)) {
            mask = n.op("vips_extract_area", mask, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), List.of(0, 0, width, height),
                    List.of());
        }
        MemorySegment rgb = n.op("vips_extract_band", solid(n, width, height, text.colour()), List.of(JAVA_INT), List.of(0),
                List.of(new NamedArg("n", 3)));
        MemorySegment alpha = n.op("vips_cast", n.op("vips_linear", mask, List.of(ADDRESS, ADDRESS, JAVA_INT),
                        List.of(n.arena.allocateFrom(JAVA_DOUBLE, text.colour().alpha()), n.arena.allocateFrom(JAVA_DOUBLE, 0.0), 1),
                        List.of()), List.of(JAVA_INT), List.of(FORMAT_UCHAR), List.of());
        MemorySegment out = n.arena.allocate(ADDRESS);
        MemorySegment coloured = n.call("vips_bandjoin2", List.of(ADDRESS, ADDRESS, ADDRESS), List.of(rgb, alpha, out), List.of(),
                out, VipsException.Reason.OPERATION_FAILED, "cannot colour text");
        int x = switch (text.align()) {
            case LEFT -> box.x();
            case CENTRE -> box.x() + (box.width() - width) / 2;
            case RIGHT -> box.x() + box.width() - width;
        };
        return new Placed(coloured, x, box.y());
    }

    /** {@code content} set in the layer's font and box, as a one-band mask. */
    private static MemorySegment set(Native n, Drawing.Text text, String content) throws Throwable {
        MemorySegment out = n.arena.allocate(ADDRESS);
        List<NamedArg> options = new ArrayList<>(List.of(new NamedArg("font", text.font() + " " + text.size()),
                new NamedArg("width", text.box().width()), new NamedArg("dpi", 72),
                new NamedArg("align", text.align().ordinal())));
        if (text.shrink()) {
            options.add(new NamedArg("height", text.box().height())); // libvips picks the dpi that fits the box
        }
        return n.call("vips_text", List.of(ADDRESS, ADDRESS), List.of(out, n.arena.allocateFrom(escape(content))),
                options, out, VipsException.Reason.OPERATION_FAILED, "cannot set text");
    }

    private static double lineHeight(Native n, Drawing.Text text) throws Throwable {
        return n.height(set(n, text, "Ag"));
    }

    /** Loads a font file for every text from now on: libvips adds it to fontconfig's fonts once. */
    static MemorySegment loadFont(Native n, String file) throws Throwable {
        MemorySegment out = n.arena.allocate(ADDRESS);
        return n.call("vips_text", List.of(ADDRESS, ADDRESS), List.of(out, n.arena.allocateFrom("x")),
                List.of(new NamedArg("fontfile", file)), out, VipsException.Reason.OPERATION_FAILED, "cannot load font " + file);
    }

    /** Text as Pango markup reads it literally. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
