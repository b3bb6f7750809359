package io.imgedge.proxy.image;

import io.imgedge.proxy.cache.CacheKey;
import io.imgedge.proxy.url.ProcessingRequest;
import io.imgedge.vips.TransformSpec;

/**
 * One output of a URL: the request, what to make of it and where it is cached.
 *
 * @param deferredQuality whether the quality is the output format's configured one, known once
 *                        the source's format is read
 * @param varyAccept      whether the format was chosen by the request's {@code Accept} header
 */
record Variant(ProcessingRequest request, TransformSpec spec, CacheKey key, boolean deferredQuality,
               boolean varyAccept) {
}
