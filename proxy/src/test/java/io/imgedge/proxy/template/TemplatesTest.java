package io.imgedge.proxy.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.imgedge.storage.FileBlobStore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        Templates templates = new Templates(new TemplateParser(8192), Optional.of(dir), Optional.empty());
        assertTrue(templates.get("a").isPresent() && templates.get("b").isPresent());
        assertEquals(Optional.of("t"), templates.tenantOfUrl("/t/sig/a/e30.png"));
        assertEquals(Optional.of("t"), templates.tenantOfUrl("/prefix/t/sig/b?name=x"));
        assertEquals(Optional.empty(), templates.tenantOfUrl("/t/sig/nothing/e30"));
        assertEquals(Optional.empty(), templates.tenantOfUrl("/t/sig"));
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

    /** Templates put through the admin API are kept in the store, checked first, and read by every node. */
    @Test
    void templatesPutAreCheckedKeptAndSharedThroughTheStore() throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        Files.writeString(files.resolve("a.json"), card("a", 20));
        FileBlobStore store = new FileBlobStore(Files.createDirectories(dir.resolve("store")));
        Templates one = new Templates(new TemplateParser(8192), Optional.of(files), Optional.of(store));
        Template put = one.put("banner", card("banner", 24).getBytes(StandardCharsets.UTF_8));
        assertEquals(put.version(), one.get("banner").orElseThrow().version(), "in force at once");
        assertTrue(new String(one.document("banner").orElseThrow(), StandardCharsets.UTF_8).contains("\"size\": 24"));

        assertThrows(TemplateParser.TemplateException.class, () -> one.put("banner", card("banner", 0).getBytes(StandardCharsets.UTF_8)));
        assertEquals(put.version(), one.get("banner").orElseThrow().version(), "a bad document changes nothing");
        assertTrue(assertThrows(TemplateParser.TemplateException.class, () -> one.put("other", card("banner", 10)
                .getBytes(StandardCharsets.UTF_8))).getMessage().contains("is not other"));
        assertTrue(assertThrows(TemplateParser.TemplateException.class, () -> one.put("a", card("a", 10)
                .getBytes(StandardCharsets.UTF_8))).getMessage().contains("templates.dir"));

        Templates two = new Templates(new TemplateParser(8192), Optional.empty(), Optional.of(store));
        assertEquals(put.version(), two.get("banner").orElseThrow().version(), "another node reads it from the store");
        assertTrue(one.delete("banner"));
        assertTrue(one.get("banner").isEmpty());
        two.reload();
        assertTrue(two.get("banner").isEmpty());
        assertTrue(!one.delete("banner"));
    }
}
