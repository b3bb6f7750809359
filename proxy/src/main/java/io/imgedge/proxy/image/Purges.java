package io.imgedge.proxy.image;

import io.imgedge.proxy.cache.CacheKey;
import io.imgedge.proxy.cache.PurgeLog;
import io.imgedge.proxy.cache.TieredCache;
import io.imgedge.proxy.url.Source;

/**
 * Purges: a result of one URL, or everything made from one source, from every tier and from
 * what is remembered of them; work already running for them will not put them back (the
 * {@link PurgeLog}). Blocking (disk): call off the event loop. Thread-safe.
 */
final class Purges {
    private final ParsedUrls urls;
    private final TieredCache results;
    private final Transforms transforms;
    private final Originals originals;
    private final PurgeLog log;

    Purges(ParsedUrls urls, TieredCache results, Transforms transforms, Originals originals, PurgeLog log) {
        this.urls = urls;
        this.results = results;
        this.transforms = transforms;
        this.originals = originals;
        this.log = log;
    }

    /** @return entries removed */
    int url(String rawPath) {
        int removed = 0;
        for (CacheKey key : urls.keys(rawPath)) {
            log.purged(key.hex());
            transforms.forget(key);
            removed += results.remove(key);
        }
        return removed;
    }

    /** @return entries removed, the original's included */
    int source(String sourceUrl) {
        CacheKey key = CacheKey.source(Source.parse(sourceUrl));
        log.purged(key.hex());
        transforms.forgetSource(key.hex());
        return results.removeSource(key.hex()) + originals.purge(key);
    }
}
