package io.imgedge.vips;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw downcall handles into libvips and GLib. Package-private: {@link Vips} is the only caller,
 * and every pointer it passes or receives stays inside one confined arena on one worker thread.
 *
 * <p>Variadic functions (the libvips "optional named arguments" convention) get one handle per
 * distinct argument shape, built on first use and cached; every call ends with a NULL name.
 */
final class LibVips {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Logger LOG = LoggerFactory.getLogger("io.imgedge.vips.libvips");
    /** G_LOG_FLAG_RECURSION | G_LOG_FLAG_FATAL: not levels, excluded from the handler's mask. */
    private static final int G_LOG_FLAGS = 0x3;

    /** One optional argument of a variadic libvips call: {@code "name", value}. */
    record NamedArg(String name, Object value) {
        NamedArg {
            if (!(value instanceof Integer || value instanceof Boolean || value instanceof Double
                    || value instanceof String || value instanceof MemorySegment)) {
                throw new IllegalArgumentException("unsupported vips argument type for " + name);
            }
        }

        MemoryLayout layout() {
            return switch (value) {
                case Integer _, Boolean _ -> JAVA_INT;
                case Double _ -> JAVA_DOUBLE;
                default -> ADDRESS;
            };
        }

        Object cValue(Arena arena) {
            return switch (value) {
                case Boolean b -> b ? 1 : 0;
                case String s -> arena.allocateFrom(s);
                default -> value;
            };
        }
    }

    private final SymbolLookup lookup;
    private final Map<String, MethodHandle> variadicHandles = new ConcurrentHashMap<>();

    final MethodHandle init;
    final MethodHandle versionString;
    final MethodHandle cacheSetMax;
    final MethodHandle concurrencySet;
    final MethodHandle vectorSetEnabled;
    final MethodHandle vectorIsEnabled;
    final MethodHandle errorBuffer;
    final MethodHandle errorClear;
    final MethodHandle objectUnref;
    final MethodHandle gFree;
    final MethodHandle findLoadBuffer;
    final MethodHandle typeFind;
    final MethodHandle imageGetWidth;
    final MethodHandle imageGetHeight;
    final MethodHandle imageGetBands;
    final MethodHandle imageGetPageHeight;
    final MethodHandle imageRemove;
    final MethodHandle imageSetInt;
    final MethodHandle imageGetNPages;
    final MethodHandle imageHasAlpha;
    final MethodHandle imageGetTypeof;
    final MethodHandle imageGetInt;
    final MethodHandle arrayDoubleNew;
    final MethodHandle areaUnref;
    final MethodHandle trackedGetMem;
    final MethodHandle trackedGetAllocs;
    final MethodHandle logSetHandler;

    LibVips(String library) {
        this.lookup = SymbolLookup.libraryLookup(library, Arena.global());
        init = fixed("vips_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        versionString = fixed("vips_version_string", FunctionDescriptor.of(ADDRESS));
        cacheSetMax = fixed("vips_cache_set_max", FunctionDescriptor.ofVoid(JAVA_INT));
        concurrencySet = fixed("vips_concurrency_set", FunctionDescriptor.ofVoid(JAVA_INT));
        vectorSetEnabled = fixed("vips_vector_set_enabled", FunctionDescriptor.ofVoid(JAVA_INT));
        vectorIsEnabled = fixed("vips_vector_isenabled", FunctionDescriptor.of(JAVA_INT));
        errorBuffer = fixed("vips_error_buffer", FunctionDescriptor.of(ADDRESS));
        errorClear = fixed("vips_error_clear", FunctionDescriptor.ofVoid());
        objectUnref = fixed("g_object_unref", FunctionDescriptor.ofVoid(ADDRESS));
        gFree = fixed("g_free", FunctionDescriptor.ofVoid(ADDRESS));
        findLoadBuffer = fixed("vips_foreign_find_load_buffer", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
        typeFind = fixed("vips_type_find", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS));
        imageGetWidth = fixed("vips_image_get_width", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        imageGetHeight = fixed("vips_image_get_height", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        imageGetBands = fixed("vips_image_get_bands", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        imageGetPageHeight = fixed("vips_image_get_page_height", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        imageRemove = fixed("vips_image_remove", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        imageSetInt = fixed("vips_image_set_int", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT));
        imageGetNPages = fixed("vips_image_get_n_pages", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        imageHasAlpha = fixed("vips_image_hasalpha", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        imageGetTypeof = fixed("vips_image_get_typeof", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS));
        imageGetInt = fixed("vips_image_get_int", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        arrayDoubleNew = fixed("vips_array_double_new", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        areaUnref = fixed("vips_area_unref", FunctionDescriptor.ofVoid(ADDRESS));
        trackedGetMem = fixed("vips_tracked_get_mem", FunctionDescriptor.of(JAVA_LONG));
        trackedGetAllocs = fixed("vips_tracked_get_allocs", FunctionDescriptor.of(JAVA_INT));
        logSetHandler = fixed("g_log_set_handler", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    }

    private MethodHandle fixed(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private MemorySegment symbol(String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libvips has no symbol " + name));
    }

    /**
     * Calls a libvips function whose C signature is {@code ret name(fixed..., ...)}: the fixed
     * arguments are described by {@code fixedLayouts}, then each named argument and a final NULL.
     *
     * @return the function's result, boxed ({@code Integer} for JAVA_INT, {@code MemorySegment} for ADDRESS)
     */
    Object callVariadic(Arena arena, String name, MemoryLayout result, List<MemoryLayout> fixedLayouts,
                        List<Object> fixedArgs, List<NamedArg> named) throws Throwable {
        List<MemoryLayout> varLayouts = new ArrayList<>(named.size() * 2 + 1);
        List<Object> args = new ArrayList<>(fixedArgs);
        for (NamedArg arg : named) {
            varLayouts.add(ADDRESS);
            varLayouts.add(arg.layout());
            args.add(arena.allocateFrom(arg.name()));
            args.add(arg.cValue(arena));
        }
        varLayouts.add(ADDRESS);
        args.add(MemorySegment.NULL);
        String key = name + result + fixedLayouts + varLayouts;
        MethodHandle handle = variadicHandles.computeIfAbsent(key, _ -> {
            List<MemoryLayout> all = new ArrayList<>(fixedLayouts);
            all.addAll(varLayouts);
            FunctionDescriptor descriptor = FunctionDescriptor.of(result, all.toArray(MemoryLayout[]::new));
            return LINKER.downcallHandle(symbol(name), descriptor, Linker.Option.firstVariadicArg(fixedLayouts.size()));
        });
        return handle.invokeWithArguments(args);
    }

    /** Reads and clears libvips's process-global error buffer; call right after a failing call. */
    String takeError() throws Throwable {
        MemorySegment message = (MemorySegment) errorBuffer.invokeExact();
        String text = message.equals(MemorySegment.NULL) ? "" : message.reinterpret(Long.MAX_VALUE).getString(0);
        errorClear.invokeExact();
        return text.strip();
    }

    /**
     * Sends GLib messages of the {@code VIPS} domain (warnings such as "premature end of JPEG
     * file", expected on bad input) to SLF4J at debug level instead of stderr.
     */
    void routeLogToSlf4j() throws Throwable {
        MethodHandle target = MethodHandles.lookup().findStatic(LibVips.class, "onGlibLog",
                MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class, MemorySegment.class));
        FunctionDescriptor callback = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        MemorySegment stub = LINKER.upcallStub(target, callback, Arena.global());
        int levels = 0xff & ~G_LOG_FLAGS;
        int id = (int) logSetHandler.invokeExact(Arena.global().allocateFrom("VIPS"), levels, stub, MemorySegment.NULL);
        if (id == 0) {
            LOG.warn("could not route libvips log messages to SLF4J");
        }
    }

    private static void onGlibLog(MemorySegment domain, int level, MemorySegment message, MemorySegment userData) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("libvips: {}", message.reinterpret(4096).getString(0).strip());
        }
    }

    static MemorySegment pointerTo(MemorySegment cell) {
        return cell.get(ValueLayout.ADDRESS, 0);
    }
}
