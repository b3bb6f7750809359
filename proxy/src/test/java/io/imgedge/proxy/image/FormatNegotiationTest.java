package io.imgedge.proxy.image;

import io.imgedge.vips.ImageFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FormatNegotiationTest {
    static final FormatNegotiation AVIF_FIRST = new FormatNegotiation(List.of(ImageFormat.AVIF, ImageFormat.WEBP));
    static final FormatNegotiation WEBP_ONLY = new FormatNegotiation(List.of(ImageFormat.WEBP));

    @ParameterizedTest(name = "{0} -> {1} / {2}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "image/avif,image/webp,image/apng,image/*,*/*;q=0.8 | AVIF | WEBP",
            "image/webp,*/*                                     | WEBP | WEBP",
            "image/avif                                         | AVIF | NONE",
            "*/*                                                | NONE | NONE",
            "image/*                                            | NONE | NONE",
            "image/avif;q=0, image/webp;q=0.5                   | WEBP | WEBP",
            "IMAGE/WEBP                                         | WEBP | WEBP",
            "image/webp;q=0                                     | NONE | NONE",
            "image/webp;q=x                                     | NONE | NONE",
            "text/html                                          | NONE | NONE",
            "NONE                                               | NONE | NONE"})
    void acceptChoosesTheFirstConfiguredFormatNamedExplicitly(String accept, ImageFormat avifFirst, ImageFormat webpOnly) {
        assertEquals(Optional.ofNullable(avifFirst), AVIF_FIRST.choose(accept));
        assertEquals(Optional.ofNullable(webpOnly), WEBP_ONLY.choose(accept));
        assertEquals(Optional.empty(), new FormatNegotiation(List.of()).choose(accept));
    }
}
