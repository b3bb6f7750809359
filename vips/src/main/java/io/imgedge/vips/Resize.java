package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;
import io.imgedge.vips.VipsException.Reason;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Decoding and resizing, the first step: shrink-on-load thumbnailing where it can do the whole
 * job (keeping every frame of an animation the output can show), else load, orient, crop, then
 * thumbnail; a directional fill covers the box and cuts by gravity or focus point.
 */
final class Resize {
    private static final int MAX_COORD = 10_000_000;
    private static final int INTERESTING_CENTRE = 1;
    private static final int INTERESTING_ATTENTION = 3;
    private static final int SIZE_BOTH = 0;
    private static final int SIZE_DOWN = 2;
    private static final int SIZE_FORCE = 3;
    private static final List<MemoryLayout> THUMBNAIL_FIXED = List.of(ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT);
    private static final List<MemoryLayout> AREA = List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);

    private Resize() {
    }

    static MemorySegment apply(Native n, MemorySegment buf, Step.Job job) throws Throwable {
        TransformSpec spec = job.spec();
        TransformSpec.Effects fx = spec.effects();
        ImageInfo info = job.info();
        Box box = job.box();
        boolean directional = box.fit() == TransformSpec.Fit.FILL && box.both() && spec.gravity().direction();
        MemorySegment image;
        if (fx.crop().isPresent()) {
            image = n.load(buf, Native.LOAD_OPTIONS, "cannot read image");
            if (fx.autoRotate()) {
                image = n.op("vips_autorot", image);
            }
            TransformSpec.Crop crop = fx.crop().get();
            int width = n.width(image);
            int height = n.height(image);
            int cw = crop.pixels(crop.width(), width);
            int ch = crop.pixels(crop.height(), height);
            image = n.op("vips_extract_area", image, AREA,
                    List.of(crop.gravity().left(width, cw), crop.gravity().top(height, ch), cw, ch), List.of());
            image = thumbnailImage(n, image, directional ? box.cover(cw, ch) : box, spec, info.hasProfile());
        } else if (directional) {
            boolean upright = fx.autoRotate() && info.orientation() >= 5;
            image = thumbnail(n, buf, box.cover(upright ? info.height() : info.width(), upright ? info.width() : info.height()),
                    spec, false, info);
        } else {
            // pages of a TIFF (or HEIF) are not an animation: only GIF and WebP frames are
            boolean animate = info.frames() > 1 && (info.format() == ImageFormat.GIF || info.format() == ImageFormat.WEBP)
                    && (job.output() == ImageFormat.GIF || job.output() == ImageFormat.WEBP) && fx.rotate() == 0
                    && fx.extend().isEmpty();
            if (animate && box.fit() == TransformSpec.Fit.FILL && box.both()) {
                // thumbnail's crop would cut the strip of frames, not each frame: cover, then cut frame by frame
                image = thumbnail(n, buf, box.cover(info.width(), info.height()), spec, true, info);
                return cropFrames(n, image, box.width(), box.height(), spec.gravity());
            }
            image = thumbnail(n, buf, box, spec, animate, info);
        }
        if (directional) {
            int width = n.width(image);
            int height = n.height(image);
            int cw = Math.min(width, box.width());
            int ch = Math.min(height, box.height());
            if (spec.gravity() == TransformSpec.Gravity.FOCUS) {
                TransformSpec.Focus focus = fx.focus().orElse(new TransformSpec.Focus(0.5, 0.5));
                int left = (int) Math.clamp(Math.round(focus.x() * width - cw / 2.0), 0, width - cw);
                int top = (int) Math.clamp(Math.round(focus.y() * height - ch / 2.0), 0, height - ch);
                image = n.op("vips_extract_area", image, AREA, List.of(left, top, cw, ch), List.of());
            } else {
                image = n.op("vips_gravity", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT),
                        List.of(spec.gravity().compass, cw, ch), List.of());
            }
        }
        return image;
    }

    /** Cuts {@code width} x {@code height} out of every frame of an animation (a strip of frames) by gravity. */
    private static MemorySegment cropFrames(Native n, MemorySegment strip, int width, int height,
                                            TransformSpec.Gravity gravity) throws Throwable {
        int frameWidth = n.width(strip);
        int frameHeight = n.pageHeight(strip);
        int frames = n.height(strip) / frameHeight;
        int cw = Math.min(width, frameWidth);
        int ch = Math.min(height, frameHeight);
        int left = gravity.left(frameWidth, cw);
        int top = gravity.top(frameHeight, ch);
        MemorySegment pieces = n.arena.allocate(ADDRESS, frames);
        for (int i = 0; i < frames; i++) {
            pieces.setAtIndex(ADDRESS, i, n.op("vips_extract_area", strip, AREA, List.of(left, i * frameHeight + top, cw, ch),
                    List.of()));
        }
        MemorySegment out = n.arena.allocate(ADDRESS);
        MemorySegment joined = n.call("vips_arrayjoin", List.of(ADDRESS, ADDRESS, JAVA_INT), List.of(pieces, out, frames),
                List.of(new NamedArg("across", 1)), out, Reason.OPERATION_FAILED, "cannot join frames");
        MemorySegment framed = n.op("vips_copy", joined);
        n.lib.imageSetInt.invokeExact(framed, n.arena.allocateFrom("page-height"), ch);
        return framed;
    }

    /** Resizes a decoded image into the box (already oriented: no auto-rotation here). */
    private static MemorySegment thumbnailImage(Native n, MemorySegment in, Box box, TransformSpec spec, boolean profile)
            throws Throwable {
        List<NamedArg> named = thumbnailArgs(box, spec, null, profile);
        named.add(new NamedArg("no_rotate", true));
        return n.op("vips_thumbnail_image", in, List.of(JAVA_INT), List.of(box.width() > 0 ? box.width() : MAX_COORD), named);
    }

    private static MemorySegment thumbnail(Native n, MemorySegment buf, Box box, TransformSpec spec, boolean animate,
                                           ImageInfo info) throws Throwable {
        if (info.format() == ImageFormat.TIFF) {
            // libvips 8.14's thumbnail takes whichever page of a TIFF looks like a pyramid level
            // for the size: the image is page 0, loaded here, unless a page is asked for
            MemorySegment page = n.load(buf, Native.LOAD_OPTIONS + ",page=0,n=1", "cannot read image");
            MemorySegment upright = spec.effects().autoRotate() ? n.op("vips_autorot", page) : page;
            return thumbnailImage(n, upright, box, spec, info.hasProfile());
        }
        List<NamedArg> named = thumbnailArgs(box, spec, animate ? Native.LOAD_OPTIONS + ",n=-1" : Native.LOAD_OPTIONS,
                info.hasProfile());
        if (!spec.effects().autoRotate()) {
            named.add(new NamedArg("no_rotate", true));
        }
        MemorySegment out = n.arena.allocate(ADDRESS);
        return n.call("vips_thumbnail_buffer", THUMBNAIL_FIXED,
                List.of(buf, buf.byteSize(), out, box.width() > 0 ? box.width() : MAX_COORD), named, out,
                Reason.CORRUPT_INPUT, "cannot decode image");
    }

    /** Height, size and crop of a thumbnail call, and the load options when loading from a buffer. */
    private static List<NamedArg> thumbnailArgs(Box box, TransformSpec spec, String loadOptions, boolean profile) {
        int size = box.fit() == TransformSpec.Fit.FORCE && box.both() ? SIZE_FORCE : box.enlarge() ? SIZE_BOTH : SIZE_DOWN;
        List<NamedArg> named = new ArrayList<>(5);
        named.add(new NamedArg("height", box.height() > 0 ? box.height() : MAX_COORD));
        named.add(new NamedArg("size", size));
        if (loadOptions != null) {
            named.add(new NamedArg("option_string", loadOptions));
        }
        if (box.fit() == TransformSpec.Fit.FILL && box.both()) {
            named.add(new NamedArg("crop", spec.gravity() == TransformSpec.Gravity.SMART ? INTERESTING_ATTENTION
                    : INTERESTING_CENTRE));
        }
        if (profile) {
            // colours of an embedded profile (Adobe RGB, Display P3, ...) become sRGB before the
            // profile is stripped; without one libvips converts only CMYK, which it does anyway
            named.add(new NamedArg("export_profile", "srgb"));
        }
        return named;
    }
}
