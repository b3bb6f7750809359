package io.imgedge.vips;

import java.util.Locale;
import java.util.Optional;

/** Image formats imgedge reads; {@link #writable()} ones can also be produced. */
public enum ImageFormat {
    JPEG("jpg", "image/jpeg", true, false),
    PNG("png", "image/png", true, true),
    WEBP("webp", "image/webp", true, true),
    AVIF("avif", "image/avif", true, true),
    GIF("gif", "image/gif", true, true),
    HEIC("heic", "image/heic", false, true),
    TIFF("tiff", "image/tiff", true, true),
    /** Written where the platform's libvips has a JPEG XL saver ({@link Vips#outputs()}); not read. */
    JXL("jxl", "image/jxl", true, true),
    /** Written through libvips's ImageMagick saver; read as PNG after the JDK decodes it. */
    BMP("bmp", "image/bmp", true, true),
    /** Written through libvips's ImageMagick saver, at most 256 pixels a side; read as PNG after the JDK decodes it. */
    ICO("ico", "image/x-icon", true, true),
    /** Rasterised by librsvg; callers pass only sanitised documents (no scripts, no external references). */
    SVG("svg", "image/svg+xml", false, true);

    private final String extension;
    private final String mimeType;
    private final boolean writable;
    private final boolean alpha;

    ImageFormat(String extension, String mimeType, boolean writable, boolean alpha) {
        this.extension = extension;
        this.mimeType = mimeType;
        this.writable = writable;
        this.alpha = alpha;
    }

    public String extension() {
        return extension;
    }

    public String mimeType() {
        return mimeType;
    }

    public boolean writable() {
        return writable;
    }

    /**
     * What a result of a source in this format is written as when the URL names no format: the
     * same format where imgedge writes it, PNG for SVG (drawings keep sharp edges and
     * transparency), else JPEG (HEIC).
     */
    public ImageFormat output() {
        return writable ? this : this == SVG ? PNG : JPEG;
    }

    /** Whether the format can carry an alpha channel (otherwise alpha is flattened on save). */
    public boolean supportsAlpha() {
        return alpha;
    }

    /** The format named by a URL extension ({@code jpg}, {@code jpeg}, {@code png}, ...), if any. */
    public static Optional<ImageFormat> fromExtension(String ext) {
        return switch (ext.toLowerCase(Locale.ROOT)) {
            case "jpg", "jpeg" -> Optional.of(JPEG);
            case "png" -> Optional.of(PNG);
            case "webp" -> Optional.of(WEBP);
            case "avif" -> Optional.of(AVIF);
            case "gif" -> Optional.of(GIF);
            case "heic", "heif" -> Optional.of(HEIC);
            case "tif", "tiff" -> Optional.of(TIFF);
            case "jxl" -> Optional.of(JXL);
            case "bmp" -> Optional.of(BMP);
            case "ico" -> Optional.of(ICO);
            default -> Optional.empty();
        };
    }
}
