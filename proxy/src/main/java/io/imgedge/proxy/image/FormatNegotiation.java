package io.imgedge.proxy.image;

import io.imgedge.vips.ImageFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which output format an {@code Accept} header earns: the first of the enforced formats, then
 * (when the URL names none) of the preferred ones, that the client lists by name with a
 * non-zero quality. Wildcards do not count: browsers send {@code *}{@code /*} whatever they can
 * decode. Pure.
 *
 * @param preferred formats chosen by Accept when the URL names none (processing.auto_formats)
 * @param enforced  formats chosen by Accept even over the URL's own (processing.enforce_formats)
 */
public record FormatNegotiation(List<ImageFormat> preferred, List<ImageFormat> enforced) {

    /** Negotiation of URLs that name no format only. */
    public FormatNegotiation(List<ImageFormat> preferred) {
        this(preferred, List.of());
    }

    /** The formats a URL may be answered in by its client's Accept: {@code fixed} when it names one. */
    public List<ImageFormat> candidates(boolean fixed) {
        if (fixed) {
            return enforced;
        }
        List<ImageFormat> all = new ArrayList<>(enforced);
        preferred.stream().filter(f -> !all.contains(f)).forEach(all::add);
        return all;
    }

    public Optional<ImageFormat> choose(String accept) {
        return choose(accept, false);
    }

    public Optional<ImageFormat> choose(String accept, boolean fixed) {
        if (accept == null) {
            return Optional.empty();
        }
        for (ImageFormat format : candidates(fixed)) {
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
