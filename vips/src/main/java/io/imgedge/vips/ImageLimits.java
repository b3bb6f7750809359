package io.imgedge.vips;

/**
 * Limits checked from the header before any pixel is decoded.
 *
 * @param maxPixels pixels over all frames
 * @param maxFrames pages or animation frames
 * @param svg       whether SVG is accepted: only for documents the caller has sanitised (librsvg
 *                  would otherwise follow their references)
 */
public record ImageLimits(long maxPixels, int maxFrames, boolean svg) {

    /** Limits that refuse SVG. */
    public ImageLimits(long maxPixels, int maxFrames) {
        this(maxPixels, maxFrames, false);
    }

    public ImageLimits {
        if (maxPixels <= 0 || maxFrames <= 0) {
            throw new IllegalArgumentException("image limits must be positive");
        }
    }

    void check(ImageInfo info) {
        if (info.format() == ImageFormat.SVG && !svg) {
            throw new VipsException(VipsException.Reason.UNSUPPORTED_FORMAT, "SVG is not accepted here");
        }
        if (info.frames() > maxFrames) {
            throw new VipsException(VipsException.Reason.LIMIT_EXCEEDED,
                    "image has " + info.frames() + " frames, limit is " + maxFrames);
        }
        if (info.totalPixels() > maxPixels) {
            throw new VipsException(VipsException.Reason.LIMIT_EXCEEDED,
                    "image has " + info.totalPixels() + " pixels, limit is " + maxPixels);
        }
    }
}
