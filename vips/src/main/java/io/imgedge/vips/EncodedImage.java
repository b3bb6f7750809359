package io.imgedge.vips;

import java.util.Objects;

/**
 * An encoded result. The array is owned by this record once built: callers must not modify it.
 *
 * @param width  width of the encoded image
 * @param height height of the encoded image (of one frame)
 */
public record EncodedImage(byte[] bytes, ImageFormat format, int width, int height) {
    public EncodedImage {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(format, "format");
    }
}
