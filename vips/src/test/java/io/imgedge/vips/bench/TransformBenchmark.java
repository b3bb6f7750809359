package io.imgedge.vips.bench;

import io.imgedge.vips.EncodedImage;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.ImageLimits;
import io.imgedge.vips.TestImages;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.Vips;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The in-process libvips limit: the same transform imgedge's miss path does (a JPEG to a
 * 300x200 fill, JPEG q80), in a tight loop with no HTTP, cache or fetch around it. Run with
 * {@code -t <cores>} and {@code -p source=FILE}; scripts/bench does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TransformBenchmark {
    @Param("")
    public String source;

    private byte[] data;
    private Vips vips;
    private TransformSpec spec;
    private ImageLimits limits;

    @Setup
    public void setUp() throws IOException {
        data = Files.readAllBytes(Path.of(source));
        vips = Vips.load(TestImages.vipsLibrary());
        spec = new TransformSpec(300, 200, TransformSpec.Fit.FILL, TransformSpec.Gravity.CENTRE, false,
                Optional.of(ImageFormat.JPEG), 80, true);
        limits = new ImageLimits(50_000_000, 256);
    }

    @Benchmark
    public EncodedImage fill300x200() {
        return vips.transform(data, spec, limits);
    }
}
