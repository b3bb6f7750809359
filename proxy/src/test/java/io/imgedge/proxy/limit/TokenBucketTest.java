package io.imgedge.proxy.limit;

import io.imgedge.proxy.config.UploadConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenBucketTest {
    @Test
    void burstThenRate() {
        AtomicLong now = new AtomicLong(0);
        TokenBucket bucket = new TokenBucket(2, 3, now::get);
        assertEquals(0, bucket.tryTake());
        assertEquals(0, bucket.tryTake());
        assertEquals(0, bucket.tryTake());
        assertEquals(500_000_000L, bucket.tryTake(), "empty: the next token comes in 1/rate s");
        now.addAndGet(250_000_000L);
        assertEquals(250_000_000L, bucket.tryTake());
        now.addAndGet(250_000_000L);
        assertEquals(0, bucket.tryTake());
        now.addAndGet(60_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, bucket.tryTake(), "refilled to the burst, not beyond");
        }
        assertEquals(500_000_000L, bucket.tryTake());
    }

    @Test
    void tenantsByToken() {
        Tenants tenants = new Tenants(List.of(new UploadConfig.Tenant("blog", "token-of-the-blog-0001"),
                new UploadConfig.Tenant("shop", "token-of-the-shop-0002")));
        assertEquals(Optional.of("shop"), tenants.tenant("Bearer token-of-the-shop-0002"));
        assertEquals(Optional.of("blog"), tenants.tenant(" Bearer token-of-the-blog-0001 "));
        assertEquals(Optional.empty(), tenants.tenant("Bearer token-of-the-shop-0003"));
        assertEquals(Optional.empty(), tenants.tenant("token-of-the-shop-0002"));
        assertEquals(Optional.empty(), tenants.tenant(null));
    }
}
