package io.imgedge.vips;

import io.imgedge.vips.VipsException.Reason;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * libvips, through the FFM API. One instance per process ({@link #load}); its methods are
 * thread-safe but block for as long as the image work takes, so call them from a
 * {@link WorkerPool}, never from an event loop. A transform is a chain of small steps:
 * {@link Decoder} (format and header) → {@link Trim} when asked → {@link ResultGeometry} (the sizes, within the result
 * limits) → {@link Resize} → each {@link Step} of {@link Step#CHAIN} → {@link Encoder}.
 *
 * <p>Every native object a call creates (input copy, images, output buffer) is released before
 * the call returns, on success and on failure ({@link Native}); results are copied to the Java
 * heap. libvips's error buffer is process-global, so under concurrency its text may be another
 * thread's: it goes into {@link VipsException#detail()} (for logs) only, while the message and
 * {@link VipsException.Reason} are always this call's own.
 */
public final class Vips {
    private static final String VALIDATE_OPTIONS = "fail_on=truncated,access=sequential";

    private static Vips instance;

    private final LibVips lib;
    private final String version;
    private final boolean simd;
    private final Set<ImageFormat> outputs;

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
        this.version = Native.run(lib, n -> {
            if ((int) lib.init.invokeExact(n.arena.allocateFrom("imgedge")) != 0) {
                throw new IllegalStateException("vips_init failed: " + lib.takeError());
            }
            lib.routeLogToSlf4j();
            lib.cacheSetMax.invokeExact(0);
            lib.concurrencySet.invokeExact(1);
            String found = Native.cString((MemorySegment) lib.versionString.invokeExact());
            if (orcEra(found)) {
                // libvips before 8.15 generates SIMD code at run time with liborc, which crashes
                // under load (SIGSEGV in orc_code_allocate_codemem, seen in the bench; imagor and
                // bimg turn it off for the same reason); 8.15 on uses highway, compiled in
                lib.vectorSetEnabled.invokeExact(0);
            }
            return found;
        });
        this.simd = Native.run(lib, n -> (int) lib.vectorIsEnabled.invokeExact() != 0);
        this.outputs = Native.run(lib, n -> {
            Set<ImageFormat> found = EnumSet.noneOf(ImageFormat.class);
            for (ImageFormat format : ImageFormat.values()) {
                if (format.writable() && (long) lib.typeFind.invokeExact(n.arena.allocateFrom("VipsOperation"),
                        n.arena.allocateFrom(Encoder.saver(format))) != 0) {
                    found.add(format);
                }
            }
            return Collections.unmodifiableSet(found);
        });
    }

    /**
     * The formats this libvips can write: imgedge's writable ones whose saver the platform's
     * libvips has (JPEG XL, and BMP and ICO through ImageMagick, are optional modules).
     */
    public Set<ImageFormat> outputs() {
        return outputs;
    }

    /** Whether libvips runs its SIMD paths: off before 8.15, whose run-time code generation (liborc) is unsafe. */
    public boolean simd() {
        return simd;
    }

    /** Whether {@code version} (e.g. {@code 8.14.1}) is a libvips that vectorises with liborc: before 8.15. */
    static boolean orcEra(String version) {
        String[] parts = version.split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
        return major < 8 || major == 8 && minor < 15;
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
        return Native.run(lib, n -> {
            MemorySegment buf = n.copyIn(data);
            return Decoder.header(n, buf, Decoder.detect(n, buf));
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
        return Native.run(lib, n -> {
            MemorySegment buf = n.copyIn(data);
            ImageInfo info = checkedHeader(n, buf, limits);
            MemorySegment image = n.load(buf, VALIDATE_OPTIONS, "cannot read image");
            MemorySegment mean = n.arena.allocate(JAVA_DOUBLE);
            if ((int) lib.callVariadic(n.arena, "vips_avg", JAVA_INT, List.of(ADDRESS, ADDRESS), List.of(image, mean),
                    List.of()) != 0) {
                throw n.failure(Reason.CORRUPT_INPUT, "cannot decode image");
            }
            return info;
        });
    }

    /**
     * Decodes {@code data} (shrinking on load where the format allows), resizes and crops as
     * {@code spec} says, applies EXIF orientation and the effects, and encodes.
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
        return Native.run(lib, n -> {
            MemorySegment buf = n.copyIn(data);
            ImageInfo info = checkedHeader(n, buf, limits);
            TransformSpec spec = specFor.apply(info.format());
            ImageFormat output = spec.format().orElse(info.format().output());
            MemorySegment trimmed = null;
            if (spec.layout().trim().isPresent()) {
                // the sizes are those of what is left: decoded whole and oriented first
                trimmed = Trim.apply(n, Resize.whole(n, buf, info, spec), spec.layout().trim().get());
                info = new ImageInfo(info.format(), n.width(trimmed), n.height(trimmed), 1, 1, info.hasAlpha(), info.hasProfile());
            }
            Step.Job job = new Step.Job(spec, info, ResultGeometry.plan(spec, info, limits), output, animated(spec, info, output));
            MemorySegment image = Resize.apply(n, buf, trimmed, job);
            for (Step step : Step.CHAIN) {
                image = step.apply(n, image, job);
            }
            return new EncodedImage(Encoder.encode(n, image, output, spec), output, n.width(image), n.height(image));
        });
    }

    /**
     * Makes the font files ({@code .ttf}, {@code .otf}) in {@code dir} known to text layers, besides
     * the system's fonts: each is loaded once through libvips's {@code fontfile} (fontconfig keeps
     * it for the process), so its family is then used by name.
     *
     * @return the font files loaded
     */
    public int addFonts(Path dir) {
        List<Path> fonts;
        try (Stream<Path> files = Files.list(dir)) {
            fonts = files.filter(f -> f.toString().toLowerCase(Locale.ROOT).matches(".*\\.(ttf|otf)")).sorted().toList();
        } catch (IOException e) {
            throw new VipsException(Reason.OPERATION_FAILED, "cannot read the fonts in " + dir + ": " + e);
        }
        for (Path font : fonts) {
            Native.run(lib, n -> Draw.loadFont(n, font.toAbsolutePath().toString()));
        }
        return fonts.size();
    }

    /**
     * Draws {@code drawing} (an image template with its data) and encodes it as {@code output}
     * says (format, quality, metadata). Each picture in it is checked against {@code limits}
     * before it is decoded, as a transform's source is.
     *
     * @throws VipsException as {@link #transform(ByteBuffer, TransformSpec, ImageLimits)} for a picture
     */
    public EncodedImage draw(Drawing drawing, TransformSpec output, ImageLimits limits) {
        ImageFormat format = output.format().orElse(ImageFormat.PNG);
        return Native.run(lib, n -> {
            MemorySegment image = Draw.draw(n, drawing, limits);
            return new EncodedImage(Encoder.encode(n, image, format, output), format, n.width(image), n.height(image));
        });
    }

    /**
     * Whether every frame is kept: an animated GIF or WebP made into one, with nothing asked for
     * that works on one frame only (a crop first, turning, flipping, extension, padding, pixelation,
     * a watermark).
     * Pages of a TIFF (or HEIF) are not an animation.
     */
    private static boolean animated(TransformSpec spec, ImageInfo info, ImageFormat output) {
        TransformSpec.Effects fx = spec.effects();
        TransformSpec.Layout layout = spec.layout();
        return info.frames() > 1 && (info.format() == ImageFormat.GIF || info.format() == ImageFormat.WEBP)
                && (output == ImageFormat.GIF || output == ImageFormat.WEBP) && fx.rotate() == 0 && fx.crop().isEmpty()
                && fx.extend().isEmpty() && layout.extendAspectRatio().isEmpty() && !layout.flipX() && !layout.flipY()
                && layout.padding().equals(TransformSpec.Padding.NONE) && layout.pixelate() <= 1 && layout.watermark().isEmpty();
    }

    /** The header, after the format is refused or accepted from its sniff alone, checked against the limits. */
    static ImageInfo checkedHeader(Native n, MemorySegment buf, ImageLimits limits) throws Throwable {
        ImageFormat format = Decoder.detect(n, buf);
        limits.checkFormat(format);
        ImageInfo info = Decoder.header(n, buf, format);
        limits.check(info);
        return info;
    }

    /** Bytes libvips has allocated and not yet freed (its own tracked allocations). */
    public long trackedBytes() {
        return Native.run(lib, _ -> (long) lib.trackedGetMem.invokeExact());
    }

    /** Number of libvips tracked allocations outstanding. */
    public int trackedAllocations() {
        return Native.run(lib, _ -> (int) lib.trackedGetAllocs.invokeExact());
    }
}
