package io.imgedge.proxy.image;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.vips.ImageLimits;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * BMP and ICO, which the libvips here cannot read (it has no ImageMagick loader): decoded with
 * the JDK and handed on as PNG. The size in the header is checked against the pixel limit before
 * any pixel is decoded. An ICO gives its largest image, stored as PNG or as a BMP bitmap. Pure.
 */
final class LegacyFormats {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private LegacyFormats() {
    }

    /** Whether the bytes are a BMP or an ICO. */
    static boolean isLegacy(byte[] bytes) {
        return isBmp(bytes) || isIco(bytes);
    }

    private static boolean isBmp(byte[] bytes) {
        return bytes.length > 26 && bytes[0] == 'B' && bytes[1] == 'M';
    }

    private static boolean isIco(byte[] bytes) {
        return bytes.length > 22 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 1 && bytes[3] == 0;
    }

    /**
     * The BMP or ICO as PNG.
     *
     * @throws HttpError 422 when it is damaged or over the pixel limit
     */
    static byte[] toPng(byte[] bytes, ImageLimits limits) {
        return isBmp(bytes) ? bmpToPng(bytes, limits) : icoToPng(bytes, limits);
    }

    private static byte[] bmpToPng(byte[] bmp, ImageLimits limits) {
        ByteBuffer b = ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN);
        checkPixels(Math.abs((long) b.getInt(18)), Math.abs((long) b.getInt(22)), limits);
        return reencode(bmp);
    }

    private static byte[] icoToPng(byte[] ico, ImageLimits limits) {
        ByteBuffer b = ByteBuffer.wrap(ico).order(ByteOrder.LITTLE_ENDIAN);
        int count = Short.toUnsignedInt(b.getShort(4));
        if (count == 0 || 6 + 16L * count > ico.length) {
            throw HttpError.unprocessable("ICO directory is damaged");
        }
        int best = -1;
        long bestArea = -1;
        for (int i = 0; i < count; i++) {
            int entry = 6 + 16 * i;
            int w = Byte.toUnsignedInt(ico[entry]) == 0 ? 256 : Byte.toUnsignedInt(ico[entry]);
            int h = Byte.toUnsignedInt(ico[entry + 1]) == 0 ? 256 : Byte.toUnsignedInt(ico[entry + 1]);
            if ((long) w * h > bestArea) {
                bestArea = (long) w * h;
                best = entry;
            }
        }
        long size = Integer.toUnsignedLong(b.getInt(best + 8));
        long offset = Integer.toUnsignedLong(b.getInt(best + 12));
        if (offset + size > ico.length || size < 40) {
            throw HttpError.unprocessable("ICO image lies outside the file");
        }
        byte[] image = java.util.Arrays.copyOfRange(ico, (int) offset, (int) (offset + size));
        if (java.util.Arrays.equals(image, 0, 8, PNG_SIGNATURE, 0, 8)) {
            return image;
        }
        // a BMP without its file header, twice as high (the AND mask follows the colours)
        ByteBuffer dib = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int headerSize = dib.getInt(0);
        int width = dib.getInt(4);
        int height = dib.getInt(8) / 2;
        checkPixels(Math.abs((long) width), Math.abs((long) height), limits);
        int bits = Short.toUnsignedInt(dib.getShort(14));
        int colours = dib.getInt(32);
        int palette = bits <= 8 ? 4 * (colours == 0 ? 1 << bits : colours) : 0;
        dib.putInt(8, height);
        ByteBuffer file = ByteBuffer.allocate(14 + image.length).order(ByteOrder.LITTLE_ENDIAN);
        file.put((byte) 'B').put((byte) 'M').putInt(14 + image.length).putInt(0).putInt(14 + headerSize + palette);
        file.put(image);
        return reencode(file.array());
    }

    private static void checkPixels(long width, long height, ImageLimits limits) {
        if (width == 0 || height == 0 || width * height > limits.maxPixels()) {
            throw HttpError.unprocessable("image exceeds limits: " + width + "x" + height + " pixels");
        }
    }

    private static byte[] reencode(byte[] legacy) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(legacy));
            if (image == null) {
                throw HttpError.unprocessable("image cannot be decoded");
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            return png.toByteArray();
        } catch (IOException | RuntimeException e) {
            if (e instanceof HttpError error) {
                throw error;
            }
            throw HttpError.unprocessable("image cannot be decoded: " + e.getMessage());
        }
    }
}
