package io.imgedge.vips;

import io.imgedge.vips.LibVips.NamedArg;
import io.imgedge.vips.VipsException.Reason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One call's native scope, where the FFM plumbing lives: a confined arena, and every libvips
 * image and array made in it, released when the call ends, on success or failure
 * ({@link #run}). The steps of a transform take one and never let a segment out of it.
 * Confined to the worker thread that runs the call.
 */
final class Native {
    /** libvips's VIPS_INTERPRETATION_sRGB. */
    static final int INTERPRETATION_SRGB = 22;
    /** libvips's VIPS_FORMAT_UCHAR. */
    static final int FORMAT_UCHAR = 0;
    /** Loader options: a truncated file is an error, not a grey-filled image. */
    static final String LOAD_OPTIONS = "fail_on=truncated";
    /** What libheif says of a codec it was built without. */
    private static final String NO_CODEC = "has not been built in";
    private static final List<MemoryLayout> IN_OUT = List.of(ADDRESS, ADDRESS);
    private static final List<MemoryLayout> NEW_FROM_BUFFER = List.of(ADDRESS, JAVA_LONG, ADDRESS);

    /** Work on native memory. */
    interface Work<T> {
        T run(Native n) throws Throwable;
    }

    final LibVips lib;
    final Arena arena;
    private final List<MemorySegment> images = new ArrayList<>(8);
    private final List<MemorySegment> arrays = new ArrayList<>(2);

    private Native(LibVips lib, Arena arena) {
        this.lib = lib;
        this.arena = arena;
    }

    /** Runs {@code work} in a scope of its own; what it made is released before this returns. */
    static <T> T run(LibVips lib, Work<T> work) {
        try (Arena arena = Arena.ofConfined()) {
            Native n = new Native(lib, arena);
            try {
                return work.run(n);
            } finally {
                n.release();
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new VipsException(Reason.OPERATION_FAILED, e.toString());
        }
    }

    private void release() throws Throwable {
        for (MemorySegment image : images) {
            lib.objectUnref.invokeExact(image);
        }
        for (MemorySegment array : arrays) {
            lib.areaUnref.invokeExact(array);
        }
    }

    /** Keeps {@code image} until the scope ends. */
    MemorySegment own(MemorySegment image) {
        images.add(image);
        return image;
    }

    /** One libvips operation {@code in -> out} with no further arguments; the output is owned. */
    MemorySegment op(String operation, MemorySegment in) throws Throwable {
        return op(operation, in, List.of(), List.of(), List.of());
    }

    /** One libvips operation {@code in -> out} with extra fixed and named arguments; the output is owned. */
    MemorySegment op(String operation, MemorySegment in, List<MemoryLayout> fixedLayouts, List<Object> fixed,
                     List<NamedArg> named) throws Throwable {
        MemorySegment out = arena.allocate(ADDRESS);
        List<MemoryLayout> layouts = new ArrayList<>(IN_OUT);
        layouts.addAll(fixedLayouts);
        List<Object> args = new ArrayList<>(List.of(in, out));
        args.addAll(fixed);
        if ((int) lib.callVariadic(arena, operation, JAVA_INT, layouts, args, named) != 0) {
            throw failure(Reason.OPERATION_FAILED, operation + " failed");
        }
        return own(LibVips.pointerTo(out));
    }

    /** A libvips call returning a status into an output pointer, with the operation's own arguments. */
    MemorySegment call(String function, List<MemoryLayout> layouts, List<Object> args, List<NamedArg> named,
                       MemorySegment out, Reason reason, String message) throws Throwable {
        if ((int) lib.callVariadic(arena, function, JAVA_INT, layouts, args, named) != 0) {
            throw failure(reason, message);
        }
        return own(LibVips.pointerTo(out));
    }

    /** {@code image} in sRGB (a copy when it already is), owned. */
    MemorySegment srgb(MemorySegment image) throws Throwable {
        return op("vips_colourspace", image, List.of(JAVA_INT), List.of(INTERPRETATION_SRGB), List.of());
    }

    /** {@code image} in sRGB with an alpha band, 8 bits a band; owned. */
    MemorySegment rgba(MemorySegment image) throws Throwable {
        MemorySegment eight = op("vips_cast", srgb(image), List.of(JAVA_INT), List.of(FORMAT_UCHAR), List.of());
        return hasAlpha(eight) ? eight : op("vips_bandjoin_const1", eight, List.of(JAVA_DOUBLE), List.of(255.0), List.of());
    }

    /** An RGBA {@code image} with its alpha band times {@code opacity}; itself at 1 or more. */
    MemorySegment faded(MemorySegment image, double opacity) throws Throwable {
        if (opacity >= 1) {
            return image;
        }
        MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, 1, 1, 1, opacity);
        MemorySegment b = arena.allocateFrom(JAVA_DOUBLE, 0, 0, 0, 0);
        MemorySegment scaled = op("vips_linear", image, List.of(ADDRESS, ADDRESS, JAVA_INT), List.of(a, b, 4), List.of());
        return op("vips_cast", scaled, List.of(JAVA_INT), List.of(FORMAT_UCHAR), List.of());
    }

    /** {@code image} computed into memory, for operations that read it more than once; owned. */
    MemorySegment inMemory(MemorySegment image) throws Throwable {
        MemorySegment copy = (MemorySegment) lib.callVariadic(arena, "vips_image_copy_memory", ADDRESS, List.of(ADDRESS),
                List.of(image), List.of());
        if (copy.equals(MemorySegment.NULL)) {
            throw failure(Reason.CORRUPT_INPUT, "cannot decode image");
        }
        return own(copy);
    }

    /** An image read from {@code buf} with the loader options, owned. */
    MemorySegment load(MemorySegment buf, String options, String message) throws Throwable {
        MemorySegment image = (MemorySegment) lib.callVariadic(arena, "vips_image_new_from_buffer", ADDRESS,
                NEW_FROM_BUFFER, List.of(buf, buf.byteSize(), arena.allocateFrom(options)), List.of());
        if (image.equals(MemorySegment.NULL)) {
            throw failure(Reason.CORRUPT_INPUT, message);
        }
        return own(image);
    }

    /** A libvips array of doubles, owned. */
    MemorySegment doubles(double... values) throws Throwable {
        MemorySegment array = (MemorySegment) lib.arrayDoubleNew.invokeExact(arena.allocateFrom(JAVA_DOUBLE, values),
                values.length);
        arrays.add(array);
        return array;
    }

    /** The call's error: our message, libvips's words (read now, right after the failing call) as the detail. */
    VipsException failure(Reason reason, String message) throws Throwable {
        String detail = lib.takeError();
        if (detail.contains(NO_CODEC)) {
            // libheif built without the image's codec: sharp's libvips reads AVIF but not HEIC (HEVC)
            return new VipsException(Reason.UNSUPPORTED_FORMAT, "this libvips build cannot decode the image's codec", detail);
        }
        return new VipsException(reason, message, detail);
    }

    int width(MemorySegment image) throws Throwable {
        return (int) lib.imageGetWidth.invokeExact(image);
    }

    int height(MemorySegment image) throws Throwable {
        return (int) lib.imageGetHeight.invokeExact(image);
    }

    int bands(MemorySegment image) throws Throwable {
        return (int) lib.imageGetBands.invokeExact(image);
    }

    int pageHeight(MemorySegment image) throws Throwable {
        return (int) lib.imageGetPageHeight.invokeExact(image);
    }

    boolean hasAlpha(MemorySegment image) throws Throwable {
        return (int) lib.imageHasAlpha.invokeExact(image) != 0;
    }

    /** A copy of {@code data}'s remaining bytes in native memory, freed with the scope. */
    MemorySegment copyIn(ByteBuffer data) {
        if (!data.hasRemaining()) {
            throw new VipsException(Reason.UNSUPPORTED_FORMAT, "empty image");
        }
        MemorySegment buf = arena.allocate(data.remaining());
        buf.copyFrom(MemorySegment.ofBuffer(data));
        return buf;
    }

    static String cString(MemorySegment pointer) {
        return pointer.reinterpret(4096).getString(0);
    }
}
