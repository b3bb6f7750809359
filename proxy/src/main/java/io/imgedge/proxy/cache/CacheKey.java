package io.imgedge.proxy.cache;

import io.imgedge.proxy.url.Source;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.TransformSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A cache key: the SHA-256 of a canonical text, in hex. Result keys cover everything that
 * changes the output bytes (resolved options, source, output format); two URLs that mean the
 * same thing (aliases, option order, {@code rs} vs {@code w}/{@code h}, default quality spelled
 * out) get the same key. Source keys cover the source only.
 */
public record CacheKey(String hex) {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public CacheKey {
        if (hex.length() != 64) {
            throw new IllegalArgumentException("a cache key is 64 hex digits");
        }
    }

    /**
     * The key of one result: {@code spec} has every default resolved; {@code cachebuster} ("" for
     * none) makes a result of its own of the same image.
     */
    public static CacheKey result(Source source, TransformSpec spec, String cachebuster) {
        return of(canonical(source, spec) + buster(cachebuster));
    }

    /**
     * As {@link #result(Source, TransformSpec, String)} for a result whose quality is not known
     * yet: it follows the source's format (per-format defaults and the URL's own per-format
     * qualities), so it is not the spec's.
     */
    public static CacheKey resultWithFormatQuality(Source source, TransformSpec spec, String cachebuster,
                                                   Map<ImageFormat, Integer> urlQualities) {
        String fq = urlQualities.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().name() + "=" + e.getValue()).collect(Collectors.joining(","));
        return of(canonical(source, spec) + "|q=by-format" + (fq.isEmpty() ? "" : ":" + fq) + buster(cachebuster));
    }

    /** Nothing for none, so keys made before cachebusters counted stay valid. */
    private static String buster(String cachebuster) {
        return cachebuster.isEmpty() ? "" : "|cb=" + cachebuster;
    }

    public static CacheKey source(Source source) {
        return of("source|" + source.canonical());
    }

    static String canonical(Source source, TransformSpec spec) {
        return "v1|w=" + spec.width() + "|h=" + spec.height() + "|fit=" + spec.fit() + "|g=" + spec.gravity()
                + "|el=" + spec.enlarge() + "|f=" + spec.format().map(ImageFormat::name).orElse("source")
                + "|q=" + spec.quality() + "|strip=" + spec.stripMetadata() + effects(spec.effects()) + layout(spec.layout())
                + "|src=" + source.canonical();
    }

    /** The effects part: nothing for none, so keys made before effects existed stay valid. */
    private static String effects(TransformSpec.Effects e) {
        if (e.equals(TransformSpec.Effects.NONE)) {
            return "";
        }
        return "|ar=" + e.autoRotate() + "|rot=" + e.rotate() + "|bl=" + e.blur() + "|sh=" + e.sharpen()
                + "|bg=" + e.background().map(c -> c.r() + "," + c.g() + "," + c.b()).orElse("none")
                + "|crop=" + e.crop().map(c -> c.width() + "x" + c.height() + "@" + c.anchor().map(CacheKey::anchor)
                .orElse("main")).orElse("none")
                + "|ex=" + e.extend().map(CacheKey::anchor).orElse("none");
    }

    /** The layout part: nothing for the plain one. */
    private static String layout(TransformSpec.Layout l) {
        if (l.equals(TransformSpec.Layout.NONE)) {
            return "";
        }
        TransformSpec.Padding p = l.padding();
        return "|dpr=" + l.dpr() + "|z=" + l.zoomWidth() + "," + l.zoomHeight() + "|min=" + l.minWidth() + "," + l.minHeight()
                + "|go=" + l.gravityX() + "," + l.gravityY() + "|exar=" + l.extendAspectRatio().map(CacheKey::anchor).orElse("none")
                + "|pd=" + p.top() + "," + p.right() + "," + p.bottom() + "," + p.left() + "|fl=" + l.flipX() + "," + l.flipY()
                + "|pix=" + l.pixelate() + "|mrd=" + l.maxResultSide() + "|mb=" + l.maxBytes()
                + "|t=" + l.trim().map(t -> t.threshold() + ":" + t.colour().map(c -> c.r() + "," + c.g() + "," + c.b()).orElse("corner")
                + ":" + t.equalHor() + ":" + t.equalVer()).orElse("none")
                + "|wm=" + l.watermark().map(w -> w.id() + ":" + w.opacity() + ":" + anchor(w.position()) + ":" + w.replicate()
                + ":" + w.scale()).orElse("none");
    }

    private static String anchor(TransformSpec.Anchor a) {
        return a.x() == 0 && a.y() == 0 ? a.type().name() : a.type() + ":" + a.x() + ":" + a.y();
    }

    /** What every rendering of the template {@code id} is kept under as its source, so that they are purged together. */
    public static CacheKey templateRenderings(String id) {
        return of("template-renderings|" + id);
    }

    /** The key of a template's rendering: its id and version, the data in one spelling, the output. */
    public static CacheKey template(String id, String version, String data, ImageFormat format, int quality) {
        return of("template|" + id + "|" + version + "|" + format.extension() + "|q" + quality + "|" + data);
    }

    private static CacheKey of(String canonical) {
        byte[] digest = SHA256.get().digest(canonical.getBytes(StandardCharsets.UTF_8));
        return new CacheKey(HexFormat.of().formatHex(digest));
    }

    @Override
    public String toString() {
        return hex;
    }
}
