package io.imgedge.proxy.url;

/**
 * A request's client hints, as imgproxy reads them with IMGPROXY_ENABLE_CLIENT_HINTS: the device
 * pixel ratio from {@code Sec-CH-DPR} or {@code DPR} (0 to 8), the width in device pixels from
 * {@code Sec-CH-Width} or {@code Width}; headers that do not parse are ignored. A URL's own
 * {@code dpr} and {@code w} win over them.
 *
 * @param dpr   0 = none
 * @param width 0 = none
 */
public record ClientHints(double dpr, int width) {
    public static final ClientHints NONE = new ClientHints(0, 0);
    /** What answers vary by when hints are read. */
    public static final String VARY = "sec-ch-dpr, dpr, sec-ch-width, width";
    private static final double MAX_DPR = 8;

    /** The hints of these header values (null where absent). */
    public static ClientHints of(String secChDpr, String dpr, String secChWidth, String width) {
        if (secChDpr == null && dpr == null && secChWidth == null && width == null) {
            return NONE;
        }
        double ratio = ratio(secChDpr);
        ratio = ratio > 0 ? ratio : ratio(dpr);
        int pixels = pixels(secChWidth);
        pixels = pixels > 0 ? pixels : pixels(width);
        return ratio == 0 && pixels == 0 ? NONE : new ClientHints(ratio, pixels);
    }

    /** The width in CSS pixels the URL is taken to ask for: the hinted width over the ratio. */
    int cssWidth() {
        return (int) Math.round(width / (dpr > 0 ? dpr : 1));
    }

    private static double ratio(String value) {
        try {
            double d = value == null ? 0 : Double.parseDouble(value.strip());
            return d > 0 && d <= MAX_DPR ? d : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int pixels(String value) {
        try {
            int w = value == null ? 0 : Integer.parseInt(value.strip());
            return Math.max(w, 0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
