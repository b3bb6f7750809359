package io.imgedge.vips;

import io.imgedge.vips.TransformSpec.Fit;
import io.imgedge.vips.TransformSpec.Gravity;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Optional;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 2,000 transforms, successes and failures mixed, must not grow native memory. */
class VipsMemoryIT {
    private static final int WARMUP = 500;
    private static final int LOOPS = 2_000;
    /** A leaked input copy (~30 KB) or output buffer per transform would add 60+ MiB. */
    private static final long MAX_NATIVE_GROWTH = 24L << 20;

    @Test
    void repeatedTransformsDoNotLeakNativeMemory() throws IOException {
        Vips vips = VipsTest.VIPS;
        byte[] jpeg = TestImages.jpeg(640, 480);
        byte[] truncated = TestImages.truncatedJpeg();
        TransformSpec webp = new TransformSpec(160, 120, Fit.FILL, Gravity.CENTRE, false, Optional.of(ImageFormat.WEBP), 80, true);
        TransformSpec png = new TransformSpec(100, 0, Fit.FIT, Gravity.CENTRE, false, Optional.of(ImageFormat.PNG), 80, true);
        for (int i = 0; i < WARMUP; i++) {
            vips.transform(jpeg, webp, VipsTest.LIMITS);
        }
        long before = nativeResident();
        for (int i = 0; i < LOOPS; i++) {
            if (i % 10 == 0) {
                assertThrows(VipsException.class, () -> vips.transform(truncated, png, VipsTest.LIMITS));
            } else {
                vips.transform(jpeg, i % 2 == 0 ? webp : png, VipsTest.LIMITS);
            }
        }
        long growth = nativeResident() - before;
        assertEquals(0, vips.trackedAllocations(), "libvips allocations outstanding");
        assertEquals(0, vips.trackedBytes(), "libvips bytes outstanding");
        assertTrue(growth < MAX_NATIVE_GROWTH, "native RSS grew by " + (growth >> 20) + " MiB over " + LOOPS + " transforms");
    }

    /** Resident memory not accounted for by the Java heap. */
    private static long nativeResident() throws IOException {
        System.gc();
        return rss() - ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
