package io.imgedge.proxy.template;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateTextTest {
    static String fill(String text, String data) throws Exception {
        return TemplateText.parse(text).fill(new ObjectMapper().readTree(data));
    }

    @Test
    void currencyPerLocale() throws Exception {
        assertEquals("39,90\u00a0€", fill("{p|currency:de-DE:EUR}", "{\"p\": 39.9}"));
        assertEquals("$1,234.50", fill("{p|currency:en-US:USD}", "{\"p\": \"1234.5\"}"));
        assertEquals("¥1,235", fill("{p|currency:ja-JP:JPY}", "{\"p\": 1234.5}").replace('￥', '¥'));
        assertEquals("1.234,50", fill("{p|number:de-DE:2}", "{\"p\": 1234.5}"));
        assertEquals("1,234.5", fill("{p|number}", "{\"p\": 1234.5}"));
    }

    @Test
    void placeholdersFormattersAndBraces() throws Exception {
        assertEquals("RED SHOE for 5", fill("{name|upper} for {n}", "{\"name\": \"Red shoe\", \"n\": 5}"));
        assertEquals("{literal} <b>x</b>", fill("{{literal}} {t}", "{\"t\": \"<b>x</b>\"}"));
        assertEquals(List.of("a", "b"), TemplateText.parse("{a} and {b|lower}").fields());
        TemplateText.MissingField missing = assertThrows(TemplateText.MissingField.class, () -> fill("{price}", "{}"));
        assertTrue(missing.getMessage().contains("price"));
        assertThrows(TemplateText.MissingField.class, () -> fill("{p|currency:de-DE:EUR}", "{\"p\": \"cheap\"}"));
        assertThrows(TemplateText.MissingField.class, () -> fill("{p}", "{\"p\": {\"nested\": 1}}"));
    }

    @Test
    void badTextIsRefusedWhenParsed() {
        for (String bad : new String[]{"{open", "close}", "{1x}", "{a|shout}", "{a|upper:x}", "{a|currency:de-DE}",
                "{a|currency:de-DE:XXXY}", "{a|number:en-US:dd}", "{a|currency:not a locale:EUR}"}) {
            assertThrows(IllegalArgumentException.class, () -> TemplateText.parse(bad), bad);
        }
    }
}
