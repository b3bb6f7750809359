package io.imgedge.proxy.image;

import io.imgedge.proxy.error.HttpError;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvgSanitizerTest {
    static String clean(String svg) {
        return new String(SvgSanitizer.sanitize(svg.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void scriptsHandlersForeignContentAndExternalReferencesGo() {
        String out = clean("""
                <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20"
                     onload="alert(1)">
                  <script>alert(2)</script>
                  <style>@import url(http://evil.test/x.css); rect { fill: red }</style>
                  <defs><linearGradient id="g"><stop offset="0" stop-color="blue"/></linearGradient></defs>
                  <rect width="40" height="20" fill="url(#g)" onclick="steal()"/>
                  <image xlink:href="http://169.254.169.254/latest/meta-data" width="5" height="5"/>
                  <image href="file:///etc/passwd" width="5" height="5"/>
                  <image href="data:image/png;base64,iVBORw0KGgo=" width="5" height="5"/>
                  <use href="#g"/>
                  <a href="javascript:alert(3)"><circle r="2" style="fill:url(http://evil.test/p)"/></a>
                  <foreignObject><body xmlns="http://www.w3.org/1999/xhtml">hi</body></foreignObject>
                </svg>""");
        for (String gone : new String[]{"script", "alert", "onload", "onclick", "@import", "169.254.169.254", "file:",
                "javascript:", "evil.test", "foreignObject", "<body"}) {
            assertFalse(out.contains(gone), gone + " is gone: " + out);
        }
        for (String kept : new String[]{"url(#g)", "href=\"#g\"", "data:image/png", "linearGradient", "width=\"40\""}) {
            assertTrue(out.contains(kept), kept + " stays: " + out);
        }
    }

    @Test
    void doctypesAndNonSvgAreRefused() {
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>&b;</text></svg>";
        assertEquals(422, assertThrows(HttpError.class, () -> clean(laughs)).status());
        String xxe = "<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>";
        assertEquals(422, assertThrows(HttpError.class, () -> clean(xxe)).status());
        assertEquals(422, assertThrows(HttpError.class, () -> clean("<html><svg/></html>")).status());
        assertEquals(422, assertThrows(HttpError.class, () -> clean("<svg><unclosed></svg>")).status());
    }

    @Test
    void detection() {
        assertTrue(SvgSanitizer.looksLikeSvg("\uFEFF  <?xml version=\"1.0\"?>\n<svg/>".getBytes(StandardCharsets.UTF_8)));
        assertTrue(SvgSanitizer.looksLikeSvg("<!-- x --><svg/>".getBytes(StandardCharsets.UTF_8)));
        assertFalse(SvgSanitizer.looksLikeSvg("<html><body>hi</body></html>".getBytes(StandardCharsets.UTF_8)));
        assertFalse(SvgSanitizer.looksLikeSvg(new byte[]{(byte) 0x89, 'P', 'N', 'G'}));
    }
}
