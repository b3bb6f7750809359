package io.imgedge.proxy.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplatesTest {
    @TempDir
    Path dir;

    static String card(String id, int size) {
        return "{\"id\": \"" + id + "\", \"tenant\": \"t\", \"width\": 100, \"height\": 100, \"layers\": ["
                + "{\"type\": \"text\", \"text\": \"{name}\", \"size\": " + size + ", \"box\": [0, 0, 100, 100]}]}";
    }

    @Test
    void aBadEditNeverTakesAGoodTemplateDown() throws Exception {
        Files.writeString(dir.resolve("a.json"), card("a", 20));
        Files.writeString(dir.resolve("b.json"), card("b", 20));
        Files.writeString(dir.resolve("notes.txt"), "not a template");
        Templates templates = new Templates(new TemplateParser(8192), Optional.of(dir));
        assertTrue(templates.get("a").isPresent() && templates.get("b").isPresent());
        String version = templates.get("a").get().version();

        Files.writeString(dir.resolve("a.json"), card("a", 20).replace("\"size\": 20", "\"size\": 0"));
        List<String> problems = templates.reload();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("a.json: template a, layer 1 (text): size"), problems.get(0));
        assertEquals(version, templates.get("a").orElseThrow().version(), "the good one stays");

        Files.writeString(dir.resolve("a.json"), card("a", 30));
        assertEquals(List.of(), templates.reload());
        assertTrue(!templates.get("a").orElseThrow().version().equals(version), "a good edit takes effect");

        Files.writeString(dir.resolve("c.json"), card("b", 10));
        assertTrue(templates.reload().get(0).contains("another file has this id"));
        Files.delete(dir.resolve("b.json"));
        Files.delete(dir.resolve("c.json"));
        templates.reload();
        assertTrue(templates.get("b").isEmpty(), "a removed file removes its template");
    }
}
