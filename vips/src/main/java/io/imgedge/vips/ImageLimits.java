package io.imgedge.vips;

/**
 * Limits checked from the header before any pixel is decoded.
 *
 * @param maxPixels       pixels over all frames of a source
 * @param maxFrames       pages or animation frames of a source
 * @param svg             whether SVG is accepted: only for documents the caller has sanitised
 *                        (librsvg would otherwise follow their references)
 * @param maxResultSide   the widest and highest a result may be, whatever the options ask for
 * @param maxResultPixels the most pixels one frame of a result may have
 */
public record ImageLimits(long maxPixels, int maxFrames, boolean svg, int maxResultSide, long maxResultPixels) {
    /** The result side bound where none is given (imgproxy's WebP limit is 16383; 8192 suits thumbnails). */
    public static final int DEFAULT_RESULT_SIDE = 8192;

    /** Limits that refuse SVG, with results bounded by the default side and the source pixel limit. */
    public ImageLimits(long maxPixels, int maxFrames) {
        this(maxPixels, maxFrames, false);
    }

    /** Limits with results bounded by the default side and the source pixel limit. */
    public ImageLimits(long maxPixels, int maxFrames, boolean svg) {
        this(maxPixels, maxFrames, svg, DEFAULT_RESULT_SIDE, maxPixels);
    }

    public ImageLimits {
        if (maxPixels <= 0 || maxFrames <= 0 || maxResultSide <= 0 || maxResultPixels <= 0) {
            throw new IllegalArgumentException("image limits must be positive");
        }
    }

    /** Refuses a format not accepted here as soon as it is sniffed, before a loader parses it. */
    void checkFormat(ImageFormat format) {
        if (format == ImageFormat.SVG && !svg) {
            throw new VipsException(VipsException.Reason.UNSUPPORTED_FORMAT, "SVG is not accepted here");
        }
    }

    void check(ImageInfo info) {
        checkFormat(info.format());
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
