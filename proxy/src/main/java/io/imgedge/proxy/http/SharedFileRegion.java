package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.SharedFile;
import io.netty.channel.DefaultFileRegion;

/**
 * The payload of a {@link SharedFile} as a {@link DefaultFileRegion}, so that the transport
 * sends it with sendfile(2), straight from the page cache. Releasing the region gives the file's
 * reference back instead of closing it: other responses may be sending the same file.
 */
final class SharedFileRegion extends DefaultFileRegion {
    private final SharedFile file;

    /** @param file retained for this region, which releases it */
    SharedFileRegion(SharedFile file) {
        super(file.channel(), file.offset(), file.length());
        this.file = file;
    }

    @Override
    protected void deallocate() {
        file.release();
    }
}
