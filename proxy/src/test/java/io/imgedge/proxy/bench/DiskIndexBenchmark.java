package io.imgedge.proxy.bench;

import io.imgedge.proxy.cache.CacheKey;
import io.imgedge.proxy.cache.CachedImage;
import io.imgedge.proxy.cache.DiskTier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** How long the disk tier takes to rebuild its index from {@code entries} files at start. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DiskIndexBenchmark {
    @Param("100000")
    public int entries;

    private Path dir;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory("imgedge-index-bench");
        DiskTier tier = new DiskTier("bench", dir, Long.MAX_VALUE, Runnable::run);
        byte[] payload = new byte[2048];
        for (int i = 0; i < entries; i++) {
            byte[] id = new byte[32];
            for (int b = 0; b < 4; b++) {
                id[b] = (byte) (i >>> (8 * b));
            }
            id[31] = (byte) (i * 31);
            tier.put(new CacheKey(HexFormat.of().formatHex(id)),
                    new CachedImage(ByteBuffer.wrap(payload), "image/webp", "\"e\"", 0, CachedImage.NEVER, "source"));
        }
    }

    @Benchmark
    public int rebuild() throws IOException {
        return new DiskTier("bench", dir, Long.MAX_VALUE, Runnable::run).entries();
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
