package io.imgedge.vips;

/**
 * What an image's header says, read without decoding pixels.
 *
 * @param width       width of one frame, before EXIF orientation is applied
 * @param height      height of one frame, before EXIF orientation is applied
 * @param frames      pages or animation frames in the file (1 for still images)
 * @param orientation EXIF orientation 1..8 (1 when absent)
 * @param hasProfile  whether an ICC profile is embedded (its colours need converting to sRGB)
 */
public record ImageInfo(ImageFormat format, int width, int height, int frames, int orientation, boolean hasAlpha,
                        boolean hasProfile) {

    /** An image without an embedded profile. */
    public ImageInfo(ImageFormat format, int width, int height, int frames, int orientation, boolean hasAlpha) {
        this(format, width, height, frames, orientation, hasAlpha, false);
    }

    public ImageInfo {
        if (width <= 0 || height <= 0 || frames <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive");
        }
    }

    /** Pixels over all frames: what decoding the whole file would cost. */
    public long totalPixels() {
        return (long) width * height * frames;
    }
}
