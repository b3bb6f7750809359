package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;
import io.imgedge.vips.VipsException.Reason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libvips, through the FFM API. One instance per process ({@link #load}); its methods are
 * thread-safe but block for as long as the image work takes, so call them from a
 * {@link WorkerPool}, never from an event loop.
 *
 * <p>Every native object a call creates (input copy, images, output buffer) is released before
 * the call returns, on success and on failure; results are copied to the Java heap.
 * libvips's error buffer is process-global, so under concurrency its text may be another
 * thread's: it goes into {@link VipsException#detail()} (for logs) only, while the message and
 * {@link VipsException.Reason} are always this call's own.
 */
public final class Vips {
    private static final int MAX_COORD = 10_000_000;
    private static final int INTERESTING_CENTRE = 1;
    private static final int INTERESTING_ATTENTION = 3;
    private static final int SIZE_BOTH = 0;
    private static final int SIZE_DOWN = 2;
    private static final int SIZE_FORCE = 3;
    private static final int EXTEND_BACKGROUND = 5;
    /** What stripping removes, by name (an animation's frame layout, delays and loop count stay). */
    private static final List<String> STRIPPED_FIELDS = List.of("exif-data", "xmp-data", "iptc-data", "icc-profile-data",
            "gif-comment", "orientation");
    /** Loader options: a truncated file is an error, not a grey-filled image. */
    private static final String LOAD_OPTIONS = "fail_on=truncated";
    private static final String VALIDATE_OPTIONS = "fail_on=truncated,access=sequential";
    private static final List<MemoryLayout> THUMBNAIL_FIXED = List.of(ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT);
    private static final List<MemoryLayout> NEW_FROM_BUFFER_FIXED = List.of(ADDRESS, JAVA_LONG, ADDRESS);
    private static final List<MemoryLayout> IN_OUT_FIXED = List.of(ADDRESS, ADDRESS);
    private static final List<MemoryLayout> WRITE_TO_BUFFER_FIXED = List.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS);

    private static Vips instance;

    private final LibVips lib;
    private final String version;

    /**
     * Loads libvips from {@code library} (a soname such as {@code libvips.so.42} or a path) and
     * initialises it once: operation cache off, one thread per operation. Later calls return
     * the same instance.
     *
     * @throws IllegalStateException when the library cannot be loaded or initialised
     */
    public static synchronized Vips load(String library) {
        if (instance == null) {
            try {
                instance = new Vips(new LibVips(library));
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                throw new IllegalStateException("cannot load libvips from '" + library
                        + "' (Debian/Ubuntu: apt-get install libvips42): " + e.getMessage(), e);
            }
        }
        return instance;
    }

    private Vips(LibVips lib) {
        this.lib = lib;
        this.version = withArena(arena -> {
            if ((int) lib.init.invokeExact(arena.allocateFrom("imgedge")) != 0) {
                throw new IllegalStateException("vips_init failed: " + lib.takeError());
            }
            lib.routeLogToSlf4j();
            lib.cacheSetMax.invokeExact(0);
            lib.concurrencySet.invokeExact(1);
            return cString((MemorySegment) lib.versionString.invokeExact());
        });
    }

    /** The libvips version, e.g. {@code 8.14.1}. */
    public String version() {
        return version;
    }

    /**
     * Reads format, size, frames, orientation and alpha from the header only.
     *
     * @throws VipsException UNSUPPORTED_FORMAT or CORRUPT_INPUT
     */
    public ImageInfo probe(byte[] data) {
        return probe(ByteBuffer.wrap(data));
    }

    /** As {@link #probe(byte[])}, from the buffer's remaining bytes (heap or direct; not modified). */
    public ImageInfo probe(ByteBuffer data) {
        return withArena(arena -> {
            MemorySegment buf = copyIn(arena, data);
            ImageFormat format = detect(buf);
            return header(arena, buf, format);
        });
    }

    /**
     * Checks that {@code data} is a whole, decodable image within {@code limits}: the header is
     * read and checked first (no pixel is decoded past the limits), then every pixel of the first
     * frame is decoded, so a truncated or damaged file fails.
     *
     * @throws VipsException UNSUPPORTED_FORMAT, CORRUPT_INPUT or LIMIT_EXCEEDED
     */
    public ImageInfo validate(byte[] data, ImageLimits limits) {
        return validate(ByteBuffer.wrap(data), limits);
    }

    /** As {@link #validate(byte[], ImageLimits)}, from the buffer's remaining bytes (heap or direct; not modified). */
    public ImageInfo validate(ByteBuffer data, ImageLimits limits) {
        return withArena(arena -> {
            MemorySegment buf = copyIn(arena, data);
            ImageFormat format = detect(buf);
            limits.checkFormat(format);
            ImageInfo info = header(arena, buf, format);
            limits.check(info);
            MemorySegment image = (MemorySegment) lib.callVariadic(arena, "vips_image_new_from_buffer", ADDRESS,
                    NEW_FROM_BUFFER_FIXED, List.of(buf, buf.byteSize(), arena.allocateFrom(VALIDATE_OPTIONS)), List.of());
            if (image.equals(MemorySegment.NULL)) {
                throw new VipsException(Reason.CORRUPT_INPUT, "cannot read image", lib.takeError());
            }
            try {
                MemorySegment mean = arena.allocate(JAVA_DOUBLE);
                int rc = (int) lib.callVariadic(arena, "vips_avg", JAVA_INT, IN_OUT_FIXED, List.of(image, mean), List.of());
                if (rc != 0) {
                    throw new VipsException(Reason.CORRUPT_INPUT, "cannot decode image", lib.takeError());
                }
            } finally {
                lib.objectUnref.invokeExact(image);
            }
            return info;
        });
    }

    /**
     * Decodes {@code data} (shrinking on load where the format allows), resizes and crops as
     * {@code spec} says, applies EXIF orientation and encodes.
     *
     * @throws VipsException UNSUPPORTED_FORMAT, CORRUPT_INPUT or LIMIT_EXCEEDED (checked from the
     *                       header before decoding)
     */
    public EncodedImage transform(byte[] data, TransformSpec spec, ImageLimits limits) {
        return transform(ByteBuffer.wrap(data), spec, limits);
    }

    /** As {@link #transform(byte[], TransformSpec, ImageLimits)}, from the buffer's remaining bytes (not modified). */
    public EncodedImage transform(ByteBuffer data, TransformSpec spec, ImageLimits limits) {
        return transform(data, _ -> spec, limits);
    }

    /**
     * As {@link #transform(ByteBuffer, TransformSpec, ImageLimits)}, with the spec chosen once the
     * source's format is read from its header (a quality that depends on the output format, which
     * is the source's when the spec names none): the header is read once.
     */
    public EncodedImage transform(ByteBuffer data, Function<ImageFormat, TransformSpec> specFor, ImageLimits limits) {
        return withArena(arena -> {
            MemorySegment buf = copyIn(arena, data);
            ImageFormat format = detect(buf);
            limits.checkFormat(format);
            ImageInfo info = header(arena, buf, format);
            limits.check(info);
            TransformSpec spec = specFor.apply(format);
            ImageFormat output = spec.format().orElse(info.format().output());
            TransformSpec.Effects effects = spec.effects();
            List<MemorySegment> owned = new ArrayList<>(6);
            try {
                MemorySegment image = resize(arena, buf, info, ResultGeometry.box(spec, info, limits), output, owned);
                if (effects.rotate() != 0) {
                    image = step(arena, "vips_rot", image, List.of(JAVA_INT), List.of(effects.rotate() / 90), List.of());
                    owned.add(image);
                }
                if (effects.blur() > 0) {
                    image = step(arena, "vips_gaussblur", image, List.of(JAVA_DOUBLE), List.of(effects.blur()), List.of());
                    owned.add(image);
                }
                if (effects.sharpen() > 0) {
                    image = step(arena, "vips_sharpen", image, List.of(), List.of(),
                            List.of(new NamedArg("sigma", effects.sharpen())));
                    owned.add(image);
                }
                boolean flattenNeeded = effects.background().isPresent() || !output.supportsAlpha();
                if (flattenNeeded && (int) lib.imageHasAlpha.invokeExact(image) != 0) {
                    image = flatten(arena, image, effects.background().orElse(TransformSpec.Rgb.WHITE));
                    owned.add(image);
                }
                int width = (int) lib.imageGetWidth.invokeExact(image);
                int height = (int) lib.imageGetHeight.invokeExact(image);
                return new EncodedImage(encode(arena, image, output, spec), output, width, height);
            } finally {
                for (MemorySegment image : owned) {
                    lib.objectUnref.invokeExact(image);
                }
            }
        });
    }

    /**
     * Decodes and resizes: shrink-on-load thumbnailing where it can do the whole job (also keeping
     * every frame of an animation the output format can show), else load, orient, crop, then
     * thumbnail; a directional fill covers the box and cuts by gravity; extend grows the result
     * to the box. Every image made is added to {@code owned}; the last one is returned.
     */
    private MemorySegment resize(Arena arena, MemorySegment buf, ImageInfo info, TransformSpec box, ImageFormat output,
                                 List<MemorySegment> owned) throws Throwable {
        TransformSpec.Effects fx = box.effects();
        boolean both = box.width() > 0 && box.height() > 0;
        boolean directional = box.fit() == TransformSpec.Fit.FILL && both && box.gravity().direction();
        MemorySegment image;
        if (fx.crop().isPresent()) {
            image = own(owned, newFromBuffer(arena, buf, LOAD_OPTIONS));
            if (fx.autoRotate()) {
                image = own(owned, step(arena, "vips_autorot", image, List.of(), List.of(), List.of()));
            }
            TransformSpec.Crop crop = fx.crop().get();
            int width = (int) lib.imageGetWidth.invokeExact(image);
            int height = (int) lib.imageGetHeight.invokeExact(image);
            int cw = crop.pixels(crop.width(), width);
            int ch = crop.pixels(crop.height(), height);
            image = own(owned, step(arena, "vips_extract_area", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                    List.of(crop.gravity().left(width, cw), crop.gravity().top(height, ch), cw, ch), List.of()));
            image = own(owned, thumbnailImage(arena, image, directional ? cover(box, cw, ch) : box, info.hasProfile()));
        } else if (directional) {
            boolean upright = fx.autoRotate() && info.orientation() >= 5;
            image = own(owned, thumbnail(arena, buf, cover(box, upright ? info.height() : info.width(),
                    upright ? info.width() : info.height()), false, info));
        } else {
            // pages of a TIFF (or HEIF) are not an animation: only GIF and WebP frames are
            boolean animate = info.frames() > 1 && (info.format() == ImageFormat.GIF || info.format() == ImageFormat.WEBP)
                    && (output == ImageFormat.GIF || output == ImageFormat.WEBP) && fx.rotate() == 0 && fx.extend().isEmpty();
            if (animate && box.fit() == TransformSpec.Fit.FILL && both) {
                // thumbnail's crop would cut the strip of frames, not each frame: cover, then cut frame by frame
                image = own(owned, thumbnail(arena, buf, cover(box, info.width(), info.height()), true, info));
                return own(owned, cropFrames(arena, image, box.width(), box.height(), box.gravity()));
            }
            image = own(owned, thumbnail(arena, buf, box, animate, info));
        }
        if (directional) {
            int width = (int) lib.imageGetWidth.invokeExact(image);
            int height = (int) lib.imageGetHeight.invokeExact(image);
            int cw = Math.min(width, box.width());
            int ch = Math.min(height, box.height());
            if (box.gravity() == TransformSpec.Gravity.FOCUS) {
                TransformSpec.Focus focus = fx.focus().orElse(new TransformSpec.Focus(0.5, 0.5));
                int left = (int) Math.clamp(Math.round(focus.x() * width - cw / 2.0), 0, width - cw);
                int top = (int) Math.clamp(Math.round(focus.y() * height - ch / 2.0), 0, height - ch);
                image = own(owned, step(arena, "vips_extract_area", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                        List.of(left, top, cw, ch), List.of()));
            } else {
                image = own(owned, step(arena, "vips_gravity", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT),
                        List.of(box.gravity().compass, cw, ch), List.of()));
            }
        }
        if (fx.extend().isPresent() && both && ((int) lib.imageGetWidth.invokeExact(image) < box.width()
                || (int) lib.imageGetHeight.invokeExact(image) < box.height())) {
            image = own(owned, extend(arena, image, box, fx));
        }
        return image;
    }

    /** Cuts {@code width} x {@code height} out of every frame of an animation (a strip of frames) by gravity. */
    private MemorySegment cropFrames(Arena arena, MemorySegment strip, int width, int height, TransformSpec.Gravity gravity)
            throws Throwable {
        int frameWidth = (int) lib.imageGetWidth.invokeExact(strip);
        int frameHeight = (int) lib.imageGetPageHeight.invokeExact(strip);
        int frames = (int) lib.imageGetHeight.invokeExact(strip) / frameHeight;
        int cw = Math.min(width, frameWidth);
        int ch = Math.min(height, frameHeight);
        int left = gravity.left(frameWidth, cw);
        int top = gravity.top(frameHeight, ch);
        MemorySegment pieces = arena.allocate(ADDRESS, frames);
        List<MemorySegment> cut = new ArrayList<>(frames);
        try {
            for (int i = 0; i < frames; i++) {
                MemorySegment piece = step(arena, "vips_extract_area", strip, List.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                        List.of(left, i * frameHeight + top, cw, ch), List.of());
                cut.add(piece);
                pieces.setAtIndex(ADDRESS, i, piece);
            }
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) lib.callVariadic(arena, "vips_arrayjoin", JAVA_INT, List.of(ADDRESS, ADDRESS, JAVA_INT),
                    List.of(pieces, out, frames), List.of(new NamedArg("across", 1)));
            if (rc != 0) {
                throw new VipsException(Reason.OPERATION_FAILED, "cannot join frames", lib.takeError());
            }
            MemorySegment joined = LibVips.pointerTo(out);
            try {
                MemorySegment framed = step(arena, "vips_copy", joined, List.of(), List.of(), List.of());
                lib.imageSetInt.invokeExact(framed, arena.allocateFrom("page-height"), ch);
                return framed;
            } finally {
                lib.objectUnref.invokeExact(joined);
            }
        } finally {
            for (MemorySegment piece : cut) {
                lib.objectUnref.invokeExact(piece);
            }
        }
    }

    private static MemorySegment own(List<MemorySegment> owned, MemorySegment image) {
        owned.add(image);
        return image;
    }

    /** A fit box that the source ({@code width} x {@code height}) covers the whole of {@code box} in. */
    private static TransformSpec cover(TransformSpec box, int width, int height) {
        double scale = Math.max(box.width() / (double) width, box.height() / (double) height);
        if (!box.enlarge()) {
            scale = Math.min(scale, 1);
        }
        int cw = (int) Math.max(1, Math.ceil(width * scale));
        int ch = (int) Math.max(1, Math.ceil(height * scale));
        return new TransformSpec(cw, ch, TransformSpec.Fit.FIT, TransformSpec.Gravity.CENTRE, box.enlarge(), box.format(),
                box.quality(), box.stripMetadata(), box.effects());
    }

    /** Places the image in the box by the extend gravity, on the background (or transparent). */
    private MemorySegment extend(Arena arena, MemorySegment image, TransformSpec box, TransformSpec.Effects fx)
            throws Throwable {
        int width = (int) lib.imageGetWidth.invokeExact(image);
        int height = (int) lib.imageGetHeight.invokeExact(image);
        int bands = (int) lib.imageGetBands.invokeExact(image);
        boolean alpha = (int) lib.imageHasAlpha.invokeExact(image) != 0;
        TransformSpec.Rgb colour = fx.background().orElse(TransformSpec.Rgb.WHITE);
        double[] values = switch (bands) {
            case 1 -> new double[]{colour.r()};
            case 2 -> new double[]{colour.r(), fx.background().isPresent() ? 255 : 0};
            case 3 -> new double[]{colour.r(), colour.g(), colour.b()};
            default -> new double[]{colour.r(), colour.g(), colour.b(), alpha && fx.background().isEmpty() ? 0 : 255};
        };
        MemorySegment array = (MemorySegment) lib.arrayDoubleNew.invokeExact(arena.allocateFrom(JAVA_DOUBLE, values),
                values.length);
        try {
            return step(arena, "vips_gravity", image, List.of(JAVA_INT, JAVA_INT, JAVA_INT),
                    List.of(fx.extend().get().compass, Math.max(width, box.width()), Math.max(height, box.height())),
                    List.of(new NamedArg("extend", EXTEND_BACKGROUND), new NamedArg("background", array)));
        } finally {
            lib.areaUnref.invokeExact(array);
        }
    }

    private MemorySegment newFromBuffer(Arena arena, MemorySegment buf, String options) throws Throwable {
        MemorySegment image = (MemorySegment) lib.callVariadic(arena, "vips_image_new_from_buffer", ADDRESS,
                NEW_FROM_BUFFER_FIXED, List.of(buf, buf.byteSize(), arena.allocateFrom(options)), List.of());
        if (image.equals(MemorySegment.NULL)) {
            throw new VipsException(Reason.CORRUPT_INPUT, "cannot read image", lib.takeError());
        }
        return image;
    }

    /** Resizes a decoded image into the box (already oriented: no auto-rotation here). */
    private MemorySegment thumbnailImage(Arena arena, MemorySegment in, TransformSpec box, boolean profile) throws Throwable {
        List<NamedArg> named = thumbnailArgs(box, null, profile);
        named.add(new NamedArg("no_rotate", true));
        return step(arena, "vips_thumbnail_image", in, List.of(JAVA_INT),
                List.of(box.width() > 0 ? box.width() : MAX_COORD), named);
    }

    /** One libvips operation {@code in -> out} with extra fixed and named arguments. */
    private MemorySegment step(Arena arena, String operation, MemorySegment in, List<MemoryLayout> fixedLayouts,
                               List<Object> fixed, List<NamedArg> named) throws Throwable {
        MemorySegment out = arena.allocate(ADDRESS);
        List<MemoryLayout> layouts = new ArrayList<>(IN_OUT_FIXED);
        layouts.addAll(fixedLayouts);
        List<Object> args = new ArrayList<>(List.of(in, out));
        args.addAll(fixed);
        int rc = (int) lib.callVariadic(arena, operation, JAVA_INT, layouts, args, named);
        if (rc != 0) {
            throw new VipsException(Reason.OPERATION_FAILED, operation + " failed", lib.takeError());
        }
        return LibVips.pointerTo(out);
    }

    /** Bytes libvips has allocated and not yet freed (its own tracked allocations). */
    public long trackedBytes() {
        return withArena(_ -> (long) lib.trackedGetMem.invokeExact());
    }

    /** Number of libvips tracked allocations outstanding. */
    public int trackedAllocations() {
        return withArena(_ -> (int) lib.trackedGetAllocs.invokeExact());
    }

    private static MemorySegment copyIn(Arena arena, ByteBuffer data) {
        if (!data.hasRemaining()) {
            throw new VipsException(Reason.UNSUPPORTED_FORMAT, "empty image");
        }
        MemorySegment buf = arena.allocate(data.remaining());
        buf.copyFrom(MemorySegment.ofBuffer(data));
        return buf;
    }

    private ImageFormat detect(MemorySegment buf) throws Throwable {
        MemorySegment loader = (MemorySegment) lib.findLoadBuffer.invokeExact(buf, buf.byteSize());
        if (loader.equals(MemorySegment.NULL)) {
            lib.takeError();
            throw new VipsException(Reason.UNSUPPORTED_FORMAT, "unrecognised image format");
        }
        String name = cString(loader).toLowerCase(Locale.ROOT);
        if (name.contains("jpeg")) {
            return ImageFormat.JPEG;
        } else if (name.contains("png")) {
            return ImageFormat.PNG;
        } else if (name.contains("webp")) {
            return ImageFormat.WEBP;
        } else if (name.contains("gif")) {
            return ImageFormat.GIF;
        } else if (name.contains("heif")) {
            return isAvif(buf) ? ImageFormat.AVIF : ImageFormat.HEIC;
        } else if (name.contains("svg")) {
            return ImageFormat.SVG;
        } else if (name.contains("tiff")) {
            return ImageFormat.TIFF;
        }
        throw new VipsException(Reason.UNSUPPORTED_FORMAT, "image format not accepted (" + name + ")");
    }

    /** ISO-BMFF brand at offset 8: {@code avif} or {@code avis}. */
    private static boolean isAvif(MemorySegment buf) {
        if (buf.byteSize() < 12) {
            return false;
        }
        byte[] brand = buf.asSlice(8, 4).toArray(JAVA_BYTE);
        String text = new String(brand, StandardCharsets.US_ASCII);
        return text.equals("avif") || text.equals("avis");
    }

    private ImageInfo header(Arena arena, MemorySegment buf, ImageFormat format) throws Throwable {
        MemorySegment image = (MemorySegment) lib.callVariadic(arena, "vips_image_new_from_buffer", ADDRESS,
                NEW_FROM_BUFFER_FIXED, List.of(buf, buf.byteSize(), arena.allocateFrom("")), List.of());
        if (image.equals(MemorySegment.NULL)) {
            throw new VipsException(Reason.CORRUPT_INPUT, "cannot read image header", lib.takeError());
        }
        try {
            int width = (int) lib.imageGetWidth.invokeExact(image);
            int height = (int) lib.imageGetHeight.invokeExact(image);
            int pages = Math.max(1, (int) lib.imageGetNPages.invokeExact(image));
            boolean alpha = (int) lib.imageHasAlpha.invokeExact(image) != 0;
            boolean profile = (long) lib.imageGetTypeof.invokeExact(image, arena.allocateFrom("icc-profile-data")) != 0;
            return new ImageInfo(format, width, height, pages, orientation(arena, image), alpha, profile);
        } finally {
            lib.objectUnref.invokeExact(image);
        }
    }

    private int orientation(Arena arena, MemorySegment image) throws Throwable {
        MemorySegment field = arena.allocateFrom("orientation");
        if ((long) lib.imageGetTypeof.invokeExact(image, field) == 0) {
            return 1;
        }
        MemorySegment value = arena.allocate(JAVA_INT);
        if ((int) lib.imageGetInt.invokeExact(image, field, value) != 0) {
            lib.takeError();
            return 1;
        }
        int orientation = value.get(JAVA_INT, 0);
        return orientation >= 1 && orientation <= 8 ? orientation : 1;
    }

    private MemorySegment thumbnail(Arena arena, MemorySegment buf, TransformSpec spec, boolean animate, ImageInfo info)
            throws Throwable {
        if (info.format() == ImageFormat.TIFF) {
            // libvips 8.14's thumbnail takes whichever page of a TIFF looks like a pyramid level
            // for the size: the image is page 0, loaded here, unless a page is asked for
            MemorySegment page = newFromBuffer(arena, buf, LOAD_OPTIONS + ",page=0,n=1");
            MemorySegment upright = page;
            try {
                if (spec.effects().autoRotate()) {
                    upright = step(arena, "vips_autorot", page, List.of(), List.of(), List.of());
                }
                return thumbnailImage(arena, upright, spec, info.hasProfile());
            } finally {
                if (upright != page) {
                    lib.objectUnref.invokeExact(upright);
                }
                lib.objectUnref.invokeExact(page);
            }
        }
        List<NamedArg> named = thumbnailArgs(spec, animate ? LOAD_OPTIONS + ",n=-1" : LOAD_OPTIONS, info.hasProfile());
        if (!spec.effects().autoRotate()) {
            named.add(new NamedArg("no_rotate", true));
        }
        MemorySegment out = arena.allocate(ADDRESS);
        int width = spec.width() > 0 ? spec.width() : MAX_COORD;
        int rc = (int) lib.callVariadic(arena, "vips_thumbnail_buffer", JAVA_INT, THUMBNAIL_FIXED,
                List.of(buf, buf.byteSize(), out, width), named);
        if (rc != 0) {
            throw new VipsException(Reason.CORRUPT_INPUT, "cannot decode image", lib.takeError());
        }
        return LibVips.pointerTo(out);
    }

    /** Height, size and crop of a thumbnail call, and the load options when loading from a buffer. */
    private static List<NamedArg> thumbnailArgs(TransformSpec spec, String loadOptions, boolean profile) {
        boolean box = spec.width() > 0 && spec.height() > 0;
        int size = spec.fit() == TransformSpec.Fit.FORCE && box ? SIZE_FORCE : spec.enlarge() ? SIZE_BOTH : SIZE_DOWN;
        List<NamedArg> named = new ArrayList<>(5);
        named.add(new NamedArg("height", spec.height() > 0 ? spec.height() : MAX_COORD));
        named.add(new NamedArg("size", size));
        if (loadOptions != null) {
            named.add(new NamedArg("option_string", loadOptions));
        }
        if (spec.fit() == TransformSpec.Fit.FILL && box) {
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

    /** Removes alpha by compositing on {@code colour}. */
    private MemorySegment flatten(Arena arena, MemorySegment image, TransformSpec.Rgb colour) throws Throwable {
        MemorySegment rgb = arena.allocateFrom(JAVA_DOUBLE, colour.r(), colour.g(), colour.b());
        int bands = (int) lib.imageGetBands.invokeExact(image);
        MemorySegment background = (MemorySegment) lib.arrayDoubleNew.invokeExact(rgb, bands <= 2 ? 1 : 3);
        try {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) lib.callVariadic(arena, "vips_flatten", JAVA_INT, IN_OUT_FIXED, List.of(image, out),
                    List.of(new NamedArg("background", background)));
            if (rc != 0) {
                throw new VipsException(Reason.OPERATION_FAILED, "cannot flatten alpha", lib.takeError());
            }
            return LibVips.pointerTo(out);
        } finally {
            lib.areaUnref.invokeExact(background);
        }
    }

    private byte[] encode(Arena arena, MemorySegment image, ImageFormat format, TransformSpec spec) throws Throwable {
        if (!spec.stripMetadata()) {
            return save(arena, image, format, spec, "strip=false");
        }
        // The metadata is removed by name for every format: libvips 8.14's webpsave ignores strip
        // (EXIF, XMP and ICC went out with it on), and its strip also drops page-height, which
        // would flatten an animation into one tall frame, so animations are saved without it
        int pageHeight = (int) lib.imageGetPageHeight.invokeExact(image);
        boolean animated = pageHeight > 0 && pageHeight < (int) lib.imageGetHeight.invokeExact(image);
        MemorySegment copy = step(arena, "vips_copy", image, List.of(), List.of(), List.of());
        try {
            for (String field : STRIPPED_FIELDS) {
                int _ = (int) lib.imageRemove.invokeExact(copy, arena.allocateFrom(field));
            }
            return save(arena, copy, format, spec, "strip=" + !animated);
        } finally {
            lib.objectUnref.invokeExact(copy);
        }
    }

    private byte[] save(Arena arena, MemorySegment image, ImageFormat format, TransformSpec spec, String strip)
            throws Throwable {
        String suffix = switch (format) {
            case JPEG -> ".jpg[Q=" + spec.quality() + ",optimize_coding=true," + strip + "]";
            case PNG -> ".png[" + strip + "]";
            case WEBP -> ".webp[Q=" + spec.quality() + "," + strip + "]";
            case AVIF -> ".avif[Q=" + spec.quality() + ",compression=av1," + strip + "]";
            case GIF -> ".gif[" + strip + "]";
            case HEIC, TIFF, SVG -> throw new IllegalArgumentException("cannot write " + format);
        };
        MemorySegment outBuf = arena.allocate(ADDRESS);
        MemorySegment outLen = arena.allocate(JAVA_LONG);
        int rc = (int) lib.callVariadic(arena, "vips_image_write_to_buffer", JAVA_INT, WRITE_TO_BUFFER_FIXED,
                List.of(image, arena.allocateFrom(suffix), outBuf, outLen), List.of());
        if (rc != 0) {
            // The pipeline is lazy: decoding happens here, so a broken source surfaces here too.
            throw new VipsException(Reason.CORRUPT_INPUT, "cannot process image", lib.takeError());
        }
        MemorySegment bytes = LibVips.pointerTo(outBuf);
        try {
            byte[] encoded = bytes.reinterpret(outLen.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
            return format == ImageFormat.WEBP && spec.stripMetadata() ? WebpMetadata.strip(encoded) : encoded;
        } finally {
            lib.gFree.invokeExact(bytes);
        }
    }

    private static String cString(MemorySegment pointer) {
        return pointer.reinterpret(4096).getString(0);
    }

    private interface NativeWork<T> {
        T run(Arena arena) throws Throwable;
    }

    private static <T> T withArena(NativeWork<T> work) {
        try (Arena arena = Arena.ofConfined()) {
            return work.run(arena);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new VipsException(Reason.OPERATION_FAILED, e.toString());
        }
    }
}
