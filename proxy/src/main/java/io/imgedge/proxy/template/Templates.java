package io.imgedge.proxy.template;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The templates in force, read from the {@code *.json} files of {@code templates.dir} at start
 * and on every reload: a file that no longer parses (or names an id another file has) leaves the
 * template it held as it was, so a bad edit never takes a good template down; a file removed
 * removes its template. Thread-safe (the set in force is replaced whole).
 */
public final class Templates {
    private static final Logger LOG = LoggerFactory.getLogger(Templates.class);

    private final TemplateParser parser;
    private final Optional<Path> dir;
    /** Templates by id, and which file each came from. */
    private volatile Map<String, Template> byId = Map.of();
    private volatile Map<Path, String> idByFile = Map.of();

    public Templates(TemplateParser parser, Optional<Path> dir) {
        this.parser = parser;
        this.dir = dir;
        reload();
    }

    public Optional<Template> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * Reads the directory again.
     *
     * @return the problems found, each naming its file and template (none: all read)
     */
    public synchronized List<String> reload() {
        if (dir.isEmpty()) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        Map<String, Template> templates = new HashMap<>();
        Map<Path, String> files = new HashMap<>();
        List<Path> found;
        try (Stream<Path> listing = Files.list(dir.get())) {
            found = listing.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            problems.add(dir.get() + ": cannot be read (" + e.getMessage() + "); templates kept as they were");
            problems.forEach(LOG::error);
            return problems;
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
        byId = Map.copyOf(templates);
        idByFile = Map.copyOf(files);
        problems.forEach(LOG::error);
        LOG.info("templates: {} in force from {}", templates.size(), dir.get());
        return problems;
    }
}
