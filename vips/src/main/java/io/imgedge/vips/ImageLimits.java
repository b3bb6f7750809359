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
 * @param maxFramePixels  the most pixels one frame of an animation (more than one frame) may have
 */
public record ImageLimits(long maxPixels, int maxFrames, boolean svg, int maxResultSide, long maxResultPixels,
                          long maxFramePixels) {
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

    /** Limits with no bound of their own on an animation's frames beyond the total. */
    public ImageLimits(long maxPixels, int maxFrames, boolean svg, int maxResultSide, long maxResultPixels) {
        this(maxPixels, maxFrames, svg, maxResultSide, maxResultPixels, Long.MAX_VALUE);
    }

    public ImageLimits {
        if (maxPixels <= 0 || maxFrames <= 0 || maxResultSide <= 0 || maxResultPixels <= 0 || maxFramePixels <= 0) {
            throw new IllegalArgumentException("image limits must be positive");
        }
    }

    /**
     * These limits, lowered where a URL asks for lower ones (imgproxy's security options), never
     * raised; 0 keeps a limit as it is.
     */
    public ImageLimits lowered(long pixels, int frames, long framePixels) {
        return new ImageLimits(lower(maxPixels, pixels), (int) lower(maxFrames, frames), svg, maxResultSide, maxResultPixels,
                lower(maxFramePixels, framePixels));
    }

    private static long lower(long limit, long asked) {
        return asked > 0 ? Math.min(limit, asked) : limit;
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
        if (info.frames() > 1 && (long) info.width() * info.height() > maxFramePixels) {
            throw new VipsException(VipsException.Reason.LIMIT_EXCEEDED,
                    "a frame has " + (long) info.width() * info.height() + " pixels, limit is " + maxFramePixels);
        }
        if (info.totalPixels() > maxPixels) {
            throw new VipsException(VipsException.Reason.LIMIT_EXCEEDED,
                    "image has " + info.totalPixels() + " pixels, limit is " + maxPixels);
        }
    }
}
