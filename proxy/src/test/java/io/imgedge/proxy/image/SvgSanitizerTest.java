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

    /** Illustrator and Inkscape exports carry the standard SVG 1.1 DOCTYPE: accepted, and dropped (issue 13). */
    @Test
    void theStandardSvgDoctypesAreAcceptedAndDropped() {
        String illustrator = """
                <?xml version="1.0" encoding="utf-8"?>
                <!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
                <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
                <svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>""";
        String out = clean(illustrator);
        assertFalse(out.contains("DOCTYPE"), out);
        assertTrue(out.contains("<rect"), out);
        assertTrue(clean("<!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.0//EN' "
                + "'http://www.w3.org/TR/2001/REC-SVG-20010904/DTD/svg10.dtd'><svg xmlns='http://www.w3.org/2000/svg'/>")
                .contains("svg"));
        // an internal subset, another public id, or a standard one pointing elsewhere: still refused
        for (String doctype : new String[]{
                "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" [<!ENTITY a \"x\">]>",
                "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://evil.test/svg11.dtd\">",
                "<!DOCTYPE svg SYSTEM \"file:///etc/passwd\">"}) {
            assertEquals(422, assertThrows(HttpError.class,
                    () -> clean(doctype + "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")).status(), doctype);
        }
    }

    /** A "use bomb" (each level uses the one below ten times) draws 10^9 elements from a few lines. */
    @Test
    void useBombsAndReferenceLoopsAreRefused() {
        StringBuilder bomb = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
                + "<defs><rect id=\"l0\" width=\"1\" height=\"1\"/>");
        for (int level = 1; level <= 9; level++) {
            bomb.append("<g id=\"l").append(level).append("\">");
            for (int i = 0; i < 10; i++) {
                bomb.append("<use xlink:href=\"#l").append(level - 1).append("\"/>");
            }
            bomb.append("</g>");
        }
        bomb.append("</defs><use xlink:href=\"#l9\"/></svg>");
        HttpError refused = assertThrows(HttpError.class, () -> clean(bomb.toString()));
        assertEquals(422, refused.status());
        assertTrue(refused.getMessage().contains("too complex"), refused.getMessage());
        String loop = "<svg xmlns=\"http://www.w3.org/2000/svg\"><g id=\"a\"><use href=\"#b\"/></g><g id=\"b\"><use href=\"#a\"/></g></svg>";
        assertEquals(422, assertThrows(HttpError.class, () -> clean(loop)).status());
        // a few levels of reuse is ordinary
        String icons = "<svg xmlns=\"http://www.w3.org/2000/svg\"><defs><circle id=\"c\" r=\"1\"/><g id=\"row\">"
                + "<use href=\"#c\"/>".repeat(20) + "</g></defs>" + "<use href=\"#row\"/>".repeat(20) + "</svg>";
        assertTrue(clean(icons).contains("use"));
    }
}
