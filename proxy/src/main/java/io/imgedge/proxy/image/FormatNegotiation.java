package io.imgedge.proxy.image;

import io.imgedge.vips.ImageFormat;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which output format an {@code Accept} header earns when the URL names none: the first of the
 * configured formats (say AVIF, then WebP) that the client lists by name with a non-zero
 * quality. Wildcards do not count: browsers send {@code *}{@code /*} whatever they can decode.
 * Pure.
 */
public record FormatNegotiation(List<ImageFormat> preferred) {

    public boolean enabled() {
        return !preferred.isEmpty();
    }

    public Optional<ImageFormat> choose(String accept) {
        if (accept == null || preferred.isEmpty()) {
            return Optional.empty();
        }
        for (ImageFormat format : preferred) {
            if (accepts(accept, format.mimeType())) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code accept} lists {@code type} with q above zero. */
    static boolean accepts(String accept, String type) {
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            if (!parts[0].strip().toLowerCase(Locale.ROOT).equals(type)) {
                continue;
            }
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].strip().toLowerCase(Locale.ROOT);
                if (param.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > 0) {
                return true;
            }
        }
        return false;
    }
}
