package io.imgedge.proxy.image;

import io.imgedge.proxy.config.ProcessingConfig;
import io.imgedge.vips.ImageLimits;
import io.imgedge.vips.Vips;
import io.imgedge.vips.VipsException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The configured watermark (imgproxy's IMGPROXY_WATERMARK_*), read once at start from a file, a
 * URL the operator names, or base64 data, and checked to be an image libvips reads whole.
 *
 * @param image   its bytes, read-only
 * @param id      a digest of them: a new watermark is a new result to every cache
 * @param opacity the configured opacity, times each URL's
 */
public record WatermarkImage(ByteBuffer image, String id, double opacity) {
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @throws IllegalStateException naming the source when it cannot be read or is not an image
     */
    public static Optional<WatermarkImage> load(ProcessingConfig.Watermark config, Vips vips, ImageLimits limits) {
        if (!config.configured()) {
            return Optional.empty();
        }
        String from = !config.path().isEmpty() ? config.path() : !config.url().isEmpty() ? config.url() : "processing.watermark.data";
        byte[] bytes;
        try {
            bytes = !config.path().isEmpty() ? Files.readAllBytes(Path.of(config.path()))
                    : !config.url().isEmpty() ? fetched(config.url()) : Base64.getDecoder().decode(config.data().strip());
            vips.validate(bytes, limits);
        } catch (IOException | IllegalArgumentException | VipsException e) {
            throw new IllegalStateException("watermark " + from + " is not a readable image: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading watermark " + from, e);
        }
        return Optional.of(new WatermarkImage(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), digest(bytes), config.opacity()));
    }

    private static byte[] fetched(String url) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build()) {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(FETCH_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("answered " + response.statusCode());
            }
            return response.body();
        }
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
