package io.imgedge.proxy.template;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateParserTest {
    static final TemplateParser PARSER = new TemplateParser(8192);

    static byte[] productCard() throws IOException {
        try (InputStream in = TemplateParserTest.class.getResourceAsStream("/templates/product-card.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void theProductCardParses() throws Exception {
        Template card = PARSER.parse(productCard());
        assertEquals("product-card", card.id());
        assertEquals("shop-a", card.tenant());
        assertEquals(600, card.width());
        assertEquals(7, card.layers().size());
        assertTrue(card.layers().get(0) instanceof Template.ImageLayer image && image.cover() && image.radius() == 16);
        assertEquals("Red running shoe", card.sample().path("name").asText());
    }

    @Test
    void theVersionFollowsTheMeaningNotTheSpelling() throws Exception {
        String json = new String(productCard(), StandardCharsets.UTF_8);
        Template a = PARSER.parse(json.getBytes(StandardCharsets.UTF_8));
        Template spaced = PARSER.parse(json.replace(", ", ",   ").replace("\n", "\n\n").getBytes(StandardCharsets.UTF_8));
        Template changed = PARSER.parse(json.replace("\"size\": 34", "\"size\": 36").getBytes(StandardCharsets.UTF_8));
        assertEquals(a.version(), spaced.version());
        assertNotEquals(a.version(), changed.version());
    }

    static String error(String json) {
        return assertThrows(TemplateParser.TemplateException.class,
                () -> PARSER.parse(json.getBytes(StandardCharsets.UTF_8))).getMessage();
    }

    static String card(String layers) {
        return "{\"id\": \"c\", \"tenant\": \"t\", \"width\": 100, \"height\": 100, \"layers\": [" + layers + "]}";
    }

    /** Every error names the template, the layer and the key. */
    @Test
    void errorsNameTheTemplateLayerAndKey() {
        assertTrue(error("not json").contains("not JSON"));
        assertTrue(error("{\"id\": \"Bad Id\"}").contains("id must be"));
        assertEquals("template c: unknown key 'colour'", error("{\"id\": \"c\", \"tenant\": \"t\", \"colour\": 1}"));
        assertEquals("template c: width must be a whole number from 1 to 8192",
                error("{\"id\": \"c\", \"tenant\": \"t\", \"width\": 99999, \"height\": 10, \"layers\": []}"));
        assertEquals("template c, layer 1 (text): box [90, 0, 20, 10] must lie within the 100x100 canvas",
                error(card("{\"type\": \"text\", \"text\": \"x\", \"box\": [90, 0, 20, 10]}")));
        assertEquals("template c, layer 2 (rect): fill: 'red' is not a colour (#rgb, #rrggbb or #rrggbbaa)",
                error(card("{\"type\": \"rect\", \"box\": [0, 0, 10, 10], \"fill\": \"#fff\"},"
                        + "{\"type\": \"rect\", \"box\": [0, 0, 10, 10], \"fill\": \"red\"}")));
        assertTrue(error(card("{\"type\": \"text\", \"text\": \"{price|shout}\", \"box\": [0, 0, 10, 10]}"))
                .startsWith("template c, layer 1 (text): text: 'shout' is not a formatter"));
        assertTrue(error(card("{\"type\": \"image\", \"source\": \"{image}\", \"box\": [0, 0, 10, 10], \"when\": \"a = 1\"}"))
                .startsWith("template c, layer 1 (image): when:"));
        assertEquals("template c, layer 1 (image): fit must be cover or contain, not 'stretch'",
                error(card("{\"type\": \"image\", \"source\": \"{image}\", \"box\": [0, 0, 10, 10], \"fit\": \"stretch\"}")));
        assertTrue(error(card("{\"type\": \"image\", \"source\": \"{image}\", \"box\": [0, 0, 10, 10], \"gravity\": \"up\"}"))
                .startsWith("template c, layer 1 (image): gravity must be center, smart"));
        assertEquals("template c, layer 1 (image): focus must be [x, y], each from 0 to 1",
                error(card("{\"type\": \"image\", \"source\": \"{image}\", \"box\": [0, 0, 10, 10], \"focus\": [2, 0]}")));
        assertEquals("template c, layer 1 (image): give gravity or focus, not both", error(card("{\"type\": \"image\", "
                + "\"source\": \"{image}\", \"box\": [0, 0, 10, 10], \"gravity\": \"north\", \"focus\": [0.5, 0.5]}")));
        assertEquals("template c, layer 1 (circle): type must be image, text or rect",
                error(card("{\"type\": \"circle\", \"box\": [0, 0, 10, 10]}")));
        assertEquals("template c, layer 1 (text): unknown key 'colour'",
                error(card("{\"type\": \"text\", \"text\": \"x\", \"box\": [0, 0, 10, 10], \"colour\": \"#fff\"}")));
        assertTrue(error(card("{\"type\": \"text\", \"text\": \"x\", \"box\": [0, 0, 10, 10], \"font\": \"x<y>\"}"))
                .contains("font must be"));
    }
}
