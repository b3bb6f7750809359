package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;
import io.imgedge.vips.TransformSpec.Anchor;
import io.imgedge.vips.VipsException.Reason;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The first step, imgproxy's (trim →) crop → scale → rotate and flip → crop to result, to the sizes of the
 * {@link ResultGeometry.Plan}. Without a crop first, one shrink-on-load thumbnail makes the
 * scaled size (keeping every frame of an animation the output can show), then the image is
 * turned and flipped; with one, the whole image is loaded, oriented, turned and cropped, then
 * scaled. The crop to the result takes the part its gravity says (offsets, focus point, or the
 * most salient part for smart), frame by frame for an animation.
 */
final class Resize {
    private static final int INTERESTING_ATTENTION = 3;
    private static final int SIZE_FORCE = 3;
    private static final int FLIP_HORIZONTAL = 0;
    private static final int FLIP_VERTICAL = 1;
    /** EXIF orientations from here on (5 to 8) turn the image a quarter: its sides swap. */
    private static final int ORIENTATION_TRANSPOSED = 5;
    private static final int MAX_JPEG_SHRINK = 8;
    private static final List<MemoryLayout> THUMBNAIL_FIXED = List.of(ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT);
    private static final List<MemoryLayout> AREA = List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final List<MemoryLayout> TWO_INTS = List.of(JAVA_INT, JAVA_INT);

    private Resize() {
    }

    /** @param loaded the source already decoded and oriented (trimmed), or null: read from {@code buf} */
    static MemorySegment apply(Native n, MemorySegment buf, MemorySegment loaded, Step.Job job) throws Throwable {
        TransformSpec spec = job.spec();
        TransformSpec.Effects fx = spec.effects();
        ResultGeometry.Plan plan = job.plan();
        MemorySegment image;
        if (loaded != null || plan.cropWidth() > 0 || plan.cropHeight() > 0) {
            image = turn(n, loaded != null ? loaded : whole(n, buf, job.info(), spec), fx.rotate());
            image = crop(n, image, plan.cropWidth(), plan.cropHeight(),
                    fx.crop().flatMap(TransformSpec.Crop::anchor).orElse(spec.anchor()), 1);
            if (n.width(image) != plan.scaledWidth() || n.height(image) != plan.scaledHeight()) {
                image = thumbnailImage(n, image, plan.scaledWidth(), plan.scaledHeight(), job.info().hasProfile());
            }
            image = flip(n, image, spec.layout());
        } else {
            boolean quarter = fx.rotate() % 180 != 0;
            int width = quarter ? plan.scaledHeight() : plan.scaledWidth();
            int height = quarter ? plan.scaledWidth() : plan.scaledHeight();
            if (job.animated()) {
                image = thumbnail(n, buf, width, height, spec, Native.LOAD_OPTIONS + ",n=-1", job.info());
                return cropFrames(n, image, plan.resultCropWidth(), plan.resultCropHeight(), spec.anchor(), plan.dprScale());
            }
            if (job.info().format() == ImageFormat.TIFF) {
                // libvips 8.14's thumbnail takes whichever page of a TIFF looks like a pyramid level
                // for the size: the image is page 0, loaded here, unless a page is asked for
                image = thumbnailImage(n, whole(n, buf, job.info(), spec), width, height, job.info().hasProfile());
            } else {
                image = thumbnail(n, buf, width, height, spec, Native.LOAD_OPTIONS, job.info());
            }
            image = flip(n, turn(n, image, fx.rotate()), spec.layout());
        }
        return crop(n, image, plan.resultCropWidth(), plan.resultCropHeight(), spec.anchor(), plan.dprScale());
    }

    /** imgproxy's cropImage: a part {@code width} x {@code height} (0 = whole side) where the anchor says. */
    static MemorySegment crop(Native n, MemorySegment image, int width, int height, Anchor anchor, double dpr)
            throws Throwable {
        int imageWidth = n.width(image);
        int imageHeight = n.height(image);
        int cw = Math.min(ResultGeometry.minNonZero(width, imageWidth), imageWidth);
        int ch = Math.min(ResultGeometry.minNonZero(height, imageHeight), imageHeight);
        if (width == 0 && height == 0 || cw >= imageWidth && ch >= imageHeight) {
            return image;
        }
        if (anchor.type() == TransformSpec.Gravity.SMART) {
            // attention reads the image more than once: from memory, not a sequential decode
            return n.op("vips_smartcrop", n.inMemory(image), TWO_INTS, List.of(cw, ch),
                    List.of(new NamedArg("interesting", INTERESTING_ATTENTION)));
        }
        Placement at = Placement.of(imageWidth, imageHeight, cw, ch, anchor, dpr);
        return n.op("vips_extract_area", image, AREA, List.of(at.left(), at.top(), cw, ch), List.of());
    }

    /** The source decoded whole (page 0 of a TIFF), oriented by its EXIF unless the spec says not to. */
    static MemorySegment whole(Native n, MemorySegment buf, ImageInfo info, TransformSpec spec) throws Throwable {
        String page = info.format() == ImageFormat.TIFF ? ",page=0,n=1" : "";
        MemorySegment image = n.load(buf, Native.LOAD_OPTIONS + page, "cannot read image");
        return spec.effects().autoRotate() ? n.op("vips_autorot", image) : image;
    }

    private static MemorySegment turn(Native n, MemorySegment image, int degrees) throws Throwable {
        return degrees == 0 ? image : n.op("vips_rot", image, List.of(JAVA_INT), List.of(degrees / 90), List.of());
    }

    private static MemorySegment flip(Native n, MemorySegment image, TransformSpec.Layout layout) throws Throwable {
        MemorySegment out = image;
        if (layout.flipX()) {
            out = n.op("vips_flip", out, List.of(JAVA_INT), List.of(FLIP_HORIZONTAL), List.of());
        }
        if (layout.flipY()) {
            out = n.op("vips_flip", out, List.of(JAVA_INT), List.of(FLIP_VERTICAL), List.of());
        }
        return out;
    }

    /** Cuts {@code width} x {@code height} out of every frame of an animation (a strip of frames). */
    private static MemorySegment cropFrames(Native n, MemorySegment strip, int width, int height, Anchor anchor,
                                            double dpr) throws Throwable {
        int frameWidth = n.width(strip);
        int frameHeight = n.pageHeight(strip);
        int frames = n.height(strip) / frameHeight;
        int cw = Math.min(ResultGeometry.minNonZero(width, frameWidth), frameWidth);
        int ch = Math.min(ResultGeometry.minNonZero(height, frameHeight), frameHeight);
        if (cw >= frameWidth && ch >= frameHeight) {
            return strip;
        }
        Anchor still = anchor.type() == TransformSpec.Gravity.SMART ? Anchor.of(TransformSpec.Gravity.CENTRE) : anchor;
        Placement at = Placement.of(frameWidth, frameHeight, cw, ch, still, dpr);
        MemorySegment pieces = n.arena.allocate(ADDRESS, frames);
        for (int i = 0; i < frames; i++) {
            pieces.setAtIndex(ADDRESS, i, n.op("vips_extract_area", strip, AREA,
                    List.of(at.left(), i * frameHeight + at.top(), cw, ch), List.of()));
        }
        MemorySegment out = n.arena.allocate(ADDRESS);
        MemorySegment joined = n.call("vips_arrayjoin", List.of(ADDRESS, ADDRESS, JAVA_INT), List.of(pieces, out, frames),
                List.of(new NamedArg("across", 1)), out, Reason.OPERATION_FAILED, "cannot join frames");
        MemorySegment framed = n.op("vips_copy", joined);
        n.lib.imageSetInt.invokeExact(framed, n.arena.allocateFrom("page-height"), ch);
        return framed;
    }

    /** Resizes a decoded image to exactly {@code width} x {@code height} (already oriented: no auto-rotation here). */
    private static MemorySegment thumbnailImage(Native n, MemorySegment in, int width, int height, boolean profile)
            throws Throwable {
        List<NamedArg> named = thumbnailArgs(height, null, profile);
        named.add(new NamedArg("no_rotate", true));
        return n.op("vips_thumbnail_image", in, List.of(JAVA_INT), List.of(width), named);
    }

    /**
     * Decodes (shrinking on load where the format allows) and resizes to exactly {@code width} x {@code height}.
     * A JPEG is decoded at the scale {@link #jpegShrink} gives, then resized the rest of the way.
     */
    private static MemorySegment thumbnail(Native n, MemorySegment buf, int width, int height, TransformSpec spec,
                                           String loadOptions, ImageInfo info) throws Throwable {
        boolean rotate = spec.effects().autoRotate();
        boolean sideways = rotate && info.orientation() >= ORIENTATION_TRANSPOSED;
        int shrink = info.format() != ImageFormat.JPEG ? 1
                : sideways ? jpegShrink(info.width(), info.height(), height, width)
                : jpegShrink(info.width(), info.height(), width, height);
        List<NamedArg> named = thumbnailArgs(height, shrink > 1 ? null : loadOptions, info.hasProfile());
        if (!rotate) {
            named.add(new NamedArg("no_rotate", true));
        }
        if (shrink > 1) {
            MemorySegment loaded = n.load(buf, loadOptions + ",access=sequential,shrink=" + shrink, "cannot decode image");
            return n.op("vips_thumbnail_image", loaded, List.of(JAVA_INT), List.of(width), named);
        }
        MemorySegment out = n.arena.allocate(ADDRESS);
        return n.call("vips_thumbnail_buffer", THUMBNAIL_FIXED, List.of(buf, buf.byteSize(), out, width), named, out,
                Reason.CORRUPT_INPUT, "cannot decode image");
    }

    /**
     * imgproxy's and sharp's JPEG shrink-on-load: the largest of 8, 4 and 2 by which a source of {@code sourceWidth}
     * x {@code sourceHeight} is scaled down at least on its way to {@code width} x {@code height} (both in the
     * source's stored orientation), else 1. libjpeg decodes straight to that fraction of the size in the DCT domain.
     * libvips's thumbnail leaves a factor of two to its own reduce instead, so it decodes four times the pixels
     * and filters them down: a 2048x1536 photo to 512x384 was decoded at 1024x768 and reduced, where this decodes
     * it at 512x384 (the miss took half the CPU on libvips 8.14, 40% less on 8.17: scripts/bench's sharp phase).
     */
    static int jpegShrink(int sourceWidth, int sourceHeight, int width, int height) {
        double factor = Math.min((double) sourceWidth / width, (double) sourceHeight / height);
        for (int shrink = MAX_JPEG_SHRINK; shrink > 1; shrink /= 2) {
            if (factor >= shrink) {
                return shrink;
            }
        }
        return 1;
    }

    /** Height and size of a thumbnail call, and the load options when loading from a buffer. */
    private static List<NamedArg> thumbnailArgs(int height, String loadOptions, boolean profile) {
        List<NamedArg> named = new ArrayList<>(5);
        named.add(new NamedArg("height", height));
        named.add(new NamedArg("size", SIZE_FORCE));
        if (loadOptions != null) {
            named.add(new NamedArg("option_string", loadOptions));
        }
        if (profile) {
            // colours of an embedded profile (Adobe RGB, Display P3, ...) become sRGB before the
            // profile is stripped; without one libvips converts only CMYK, which it does anyway
            named.add(new NamedArg("export_profile", "srgb"));
        }
        return named;
    }
}
