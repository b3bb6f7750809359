package io.imgedge.proxy.cache;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryTierTest {
    static CacheKey key(int i) {
        return new CacheKey(String.format("%064x", i));
    }

    static CachedImage entry(int size, String source) {
        return new CachedImage(ByteBuffer.allocate(size), "image/webp", "\"e\"", 0, CachedImage.NEVER, source);
    }

    @Test
    void staysWithinItsByteBudgetUnderAZipfLoad() {
        long budget = 4L << 20;
        MemoryTier tier = new MemoryTier(budget, Runnable::run);
        Random random = new Random(1);
        int distinct = 50_000;
        double[] cumulative = zipf(distinct, 1.0);
        int hits = 0;
        for (int i = 0; i < 200_000; i++) {
            int k = sample(cumulative, random.nextDouble());
            if (tier.get(key(k)).isPresent()) {
                hits++;
            } else {
                tier.put(key(k), entry(2_000 + (k % 50) * 100, "s"));
            }
            if (i % 10_000 == 0) {
                assertTrue(tier.bytes() <= budget, "over budget: " + tier.bytes());
            }
        }
        assertTrue(tier.bytes() <= budget && tier.bytes() > budget / 2, "bytes " + tier.bytes());
        // W-TinyLFU keeps the popular head: far more hits than the budget's share of keys would give
        assertTrue(hits > 200_000 * 0.4, "hit ratio " + hits / 200_000.0);
    }

    @Test
    void aDirectTierMovesHeapPayloadsIntoDirectMemoryOnTheirFirstHit() {
        MemoryTier results = new MemoryTier(1 << 20, Runnable::run, true);
        ByteBuffer bytes = ByteBuffer.wrap(new byte[]{1, 2, 3, 4});
        results.put(key(1), new CachedImage(bytes, "image/png", "\"e\"", 5, 6, "s"));
        CachedImage hit = results.get(key(1)).orElseThrow();
        assertTrue(hit.payload().isDirect());
        assertEquals(bytes.duplicate(), hit.payload().duplicate(), "the same bytes");
        assertEquals(new CachedImage(bytes, "image/png", "\"e\"", 5, 6, "s").etag(), hit.etag());
        assertTrue(results.get(key(1)).orElseThrow() == hit, "moved once, kept moved");
        assertEquals(hit.weight(), results.bytes());

        MemoryTier sources = new MemoryTier(1 << 20, Runnable::run);
        sources.put(key(2), new CachedImage(bytes, "image/png", "\"e\"", 5, 6, "s"));
        assertTrue(!sources.get(key(2)).orElseThrow().payload().isDirect(), "a plain tier leaves payloads be");
    }

    @Test
    void removeSourceDropsEveryVariant() {
        MemoryTier tier = new MemoryTier(1 << 20, Runnable::run);
        tier.put(key(1), entry(10, "a"));
        tier.put(key(2), entry(10, "a"));
        tier.put(key(3), entry(10, "b"));
        assertEquals(2, tier.removeSource("a"));
        assertTrue(tier.get(key(1)).isEmpty() && tier.get(key(2)).isEmpty() && tier.get(key(3)).isPresent());
    }

    private static double[] zipf(int n, double s) {
        double[] c = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            c[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            c[i] /= sum;
        }
        return c;
    }

    private static int sample(double[] cumulative, double u) {
        int i = java.util.Arrays.binarySearch(cumulative, u);
        return i >= 0 ? i : -i - 1;
    }
}
