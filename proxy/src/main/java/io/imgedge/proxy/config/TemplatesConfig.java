package io.imgedge.proxy.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Image templates ({@code imgedge.templates}).
 *
 * @param dir where the template documents ({@code *.json}) are, read at start and on reload; empty = none
 */
public record TemplatesConfig(Optional<Path> dir) {
    static TemplatesConfig from(Section c) {
        String dir = c.getString("dir").strip();
        return new TemplatesConfig(dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir)));
    }
}
