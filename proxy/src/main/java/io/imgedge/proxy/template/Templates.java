package io.imgedge.proxy.template;

import io.imgedge.storage.BlobStore;
import io.imgedge.storage.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The templates in force: the {@code *.json} files of {@code templates.dir} and those put
 * through the admin API (kept in the store under {@code templates/{id}.json}), read at start and
 * on every reload. A file that no longer parses (or names an id another one has) leaves the
 * template it held as it was, so a bad edit never takes a good template down; a file removed
 * removes its template; a template put through the API is checked whole before it is stored.
 * Thread-safe (the set in force is replaced whole).
 */
public final class Templates {
    private static final Logger LOG = LoggerFactory.getLogger(Templates.class);

    private static final String PREFIX = "templates/";
    /** A template document is a few kilobytes; the store reads at most this. */
    static final long MAX_DOCUMENT = 1 << 20;

    private final TemplateParser parser;
    private final Optional<Path> dir;
    private final Optional<BlobStore> store;
    /** Ids of the templates put through the API (the others come from the directory). */
    private volatile Set<String> stored = Set.of();
    /** Templates by id, and which file each came from. */
    private volatile Map<String, Template> byId = Map.of();
    private volatile Map<Path, String> idByFile = Map.of();

    /** @param store where templates put through the admin API are kept; empty = none can be */
    public Templates(TemplateParser parser, Optional<Path> dir, Optional<BlobStore> store) {
        this.parser = parser;
        this.dir = dir;
        this.store = store;
        reload();
    }

    public Optional<Template> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The tenant of the template a template URL ({@code .../t/{signature}/{template}...}) names, if it names one. */
    public Optional<String> tenantOfUrl(String uri) {
        int at = uri.indexOf("/t/");
        if (at < 0) {
            return Optional.empty();
        }
        String[] parts = uri.substring(at + 3).split("[/?]", 3);
        return parts.length < 2 ? Optional.empty() : get(parts[1]).map(Template::tenant);
    }

    /**
     * Reads the directory again.
     *
     * @return the problems found, each naming its file and template (none: all read)
     */
    public synchronized List<String> reload() {
        List<String> problems = new ArrayList<>();
        Map<String, Template> templates = new HashMap<>();
        Map<Path, String> files = new HashMap<>();
        List<Path> found = List.of();
        if (dir.isPresent()) {
            try (Stream<Path> listing = Files.list(dir.get())) {
                found = listing.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
            } catch (IOException e) {
                problems.add(dir.get() + ": cannot be read (" + e.getMessage() + "); templates kept as they were");
                problems.forEach(LOG::error);
                return problems;
            }
        }
        for (Path file : found) {
            try {
                Template template = parser.parse(Files.readAllBytes(file));
                if (templates.containsKey(template.id())) {
                    throw new TemplateParser.TemplateException("template " + template.id() + ": another file has this id");
                }
                templates.put(template.id(), template);
                files.put(file, template.id());
            } catch (IOException | TemplateParser.TemplateException e) {
                problems.add(file.getFileName() + ": " + e.getMessage());
                String previous = idByFile.get(file);
                if (previous != null && byId.containsKey(previous) && !templates.containsKey(previous)) {
                    templates.put(previous, byId.get(previous)); // the last good version stays
                    files.put(file, previous);
                }
            }
        }
        Set<String> fromStore = new HashSet<>();
        if (store.isPresent()) {
            try (Stream<String> keys = store.get().list(PREFIX)) {
                for (String key : keys.filter(k -> k.endsWith(".json")).sorted().toList()) {
                    String id = key.substring(PREFIX.length(), key.length() - ".json".length());
                    try {
                        Template template = parser.parse(store.get().get(key, MAX_DOCUMENT).orElseThrow().bytes());
                        if (templates.containsKey(template.id()) || !template.id().equals(id)) {
                            throw new TemplateParser.TemplateException("template " + id + ": another template has this id");
                        }
                        templates.put(id, template);
                        fromStore.add(id);
                    } catch (RuntimeException e) {
                        problems.add(key + ": " + e.getMessage());
                        if (stored.contains(id) && byId.containsKey(id) && !templates.containsKey(id)) {
                            templates.put(id, byId.get(id));
                            fromStore.add(id);
                        }
                    }
                }
            } catch (StoreException e) {
                problems.add("the store: " + e.getMessage() + "; its templates kept as they were");
                stored.forEach(id -> Optional.ofNullable(byId.get(id)).ifPresent(t -> templates.putIfAbsent(id, t)));
                fromStore.addAll(stored);
            }
        }
        byId = Map.copyOf(templates);
        idByFile = Map.copyOf(files);
        stored = Set.copyOf(fromStore);
        problems.forEach(LOG::error);
        LOG.info("templates: {} in force", templates.size());
        return problems;
    }

    /**
     * Checks {@code document} whole and, when it is good, keeps it as template {@code id} (in the
     * store, and in force at once). Blocking (the store): call off the event loop.
     *
     * @throws TemplateParser.TemplateException naming what is wrong: nothing changes then
     */
    public synchronized Template put(String id, byte[] document) {
        if (store.isEmpty()) {
            throw new TemplateParser.TemplateException("template " + id + ": there is no store to keep templates in");
        }
        Template template = parser.parse(document);
        if (!template.id().equals(id)) {
            throw new TemplateParser.TemplateException("template " + template.id() + ": the document's id is not " + id);
        }
        if (byId.containsKey(id) && !stored.contains(id)) {
            throw new TemplateParser.TemplateException("template " + id + ": comes from templates.dir; change it there");
        }
        store.get().put(PREFIX + id + ".json", document, "application/json");
        Map<String, Template> templates = new HashMap<>(byId);
        templates.put(id, template);
        byId = Map.copyOf(templates);
        Set<String> ids = new HashSet<>(stored);
        ids.add(id);
        stored = Set.copyOf(ids);
        return template;
    }

    /** The document of template {@code id} as it was put or written. Blocking (the store or the disk). */
    public Optional<byte[]> document(String id) {
        if (!byId.containsKey(id)) {
            return Optional.empty();
        }
        if (stored.contains(id)) {
            return store.orElseThrow().get(PREFIX + id + ".json", MAX_DOCUMENT).map(b -> b.bytes());
        }
        return idByFile.entrySet().stream().filter(e -> e.getValue().equals(id)).findFirst().map(e -> {
            try {
                return Files.readAllBytes(e.getKey());
            } catch (IOException failure) {
                return null;
            }
        });
    }

    /**
     * Removes template {@code id} put through the API. Blocking (the store).
     *
     * @return whether there was one to remove
     * @throws TemplateParser.TemplateException for a template of templates.dir
     */
    public synchronized boolean delete(String id) {
        if (byId.containsKey(id) && !stored.contains(id)) {
            throw new TemplateParser.TemplateException("template " + id + ": comes from templates.dir; remove it there");
        }
        if (!stored.contains(id)) {
            return false;
        }
        store.orElseThrow().delete(PREFIX + id + ".json");
        Map<String, Template> templates = new HashMap<>(byId);
        templates.remove(id);
        byId = Map.copyOf(templates);
        Set<String> ids = new HashSet<>(stored);
        ids.remove(id);
        stored = Set.copyOf(ids);
        return true;
    }
}
