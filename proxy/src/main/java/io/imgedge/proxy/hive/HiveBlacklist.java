package io.imgedge.proxy.hive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgedge.proxy.url.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One of the imagehoster's blacklists (its blacklist.ts): fixed entries from the configuration
 * and a file in the imagehoster's format, either a JSON array of exact entries or
 * {@code {"urls": [...], "patterns": [regular expressions]}}. {@link #reload} reads the file again
 * when it changed; a file that does not parse leaves the list as it was. A URL matches as the
 * imagehoster matches it: as Node spells it, without its query and fragment, or by a path
 * segment that looks like a content hash (30 or more letters and digits). Thread-safe.
 */
public final class HiveBlacklist {
    private static final Logger LOG = LoggerFactory.getLogger(HiveBlacklist.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9]{30,}");

    private record Entries(Set<String> exact, List<Pattern> patterns) {
        static final Entries NONE = new Entries(Set.of(), List.of());
    }

    private final Set<String> fixed;
    private final Optional<Path> file;
    private volatile Entries loaded = Entries.NONE;
    private volatile FileTime loadedAt;

    public HiveBlacklist(Set<String> fixed, Optional<Path> file) {
        this.fixed = Set.copyOf(fixed);
        this.file = file;
        reload();
    }

    /** Whether nothing is on this list (then matching costs nothing). */
    public boolean isEmpty() {
        return fixed.isEmpty() && loaded.exact().isEmpty() && loaded.patterns().isEmpty();
    }

    public boolean includes(String item) {
        Entries entries = loaded;
        return fixed.contains(item) || entries.exact().contains(item)
                || entries.patterns().stream().anyMatch(p -> p.matcher(item).find());
    }

    /** Whether {@code url} is on the list, with or without its query, or by a hash in its path. */
    public boolean matchesUrl(URI url) {
        if (isEmpty()) {
            return false;
        }
        String spelt;
        try {
            spelt = WhatwgUrls.serialize(url.toString());
        } catch (IllegalArgumentException e) {
            spelt = url.toString();
        }
        if (includes(spelt)) {
            return true;
        }
        int end = spelt.length();
        for (char c : new char[]{'?', '#'}) {
            int at = spelt.indexOf(c);
            end = at >= 0 ? Math.min(end, at) : end;
        }
        if (end < spelt.length() && includes(spelt.substring(0, end))) {
            return true;
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        for (String segment : path.split("/")) {
            if (HASH.matcher(segment).matches() && includes(segment)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an image list refuses {@code source}: a web URL that matches, or an upload whose key is on it. */
    public boolean refuses(Source source) {
        return switch (source) {
            case Source.Remote remote -> matchesUrl(remote.uri());
            case Source.Archived archived -> matchesUrl(archived.remote().uri());
            case Source.Stored stored -> !isEmpty() && includes(stored.key().substring(stored.key().lastIndexOf('/') + 1));
            case Source.S3Object _, Source.LocalFile _ -> false;
        };
    }

    /**
     * Reads the file again when its modification time changed.
     *
     * @return whether the list changed
     */
    public boolean reload() {
        if (file.isEmpty()) {
            return false;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file.get());
            if (modified.equals(loadedAt)) {
                return false;
            }
            Entries read = parse(JSON.readTree(file.get().toFile()));
            loaded = read;
            loadedAt = modified;
            LOG.info("blacklist {}: {} entries, {} patterns", file.get(), read.exact().size(), read.patterns().size());
            return true;
        } catch (NoSuchFileException e) {
            LOG.warn("blacklist {} does not exist (yet)", file.get());
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("blacklist {} could not be read, keeping the list as it was: {}", file.get(), e.getMessage());
        }
        return false;
    }

    private static Entries parse(JsonNode document) {
        JsonNode urls = document.isArray() ? document : document.path("urls");
        JsonNode patterns = document.isArray() ? JSON.createArrayNode() : document.path("patterns");
        if (!urls.isArray() && !urls.isMissingNode() || !patterns.isArray() && !patterns.isMissingNode()) {
            throw new IllegalArgumentException("not an array, nor {\"urls\": [...], \"patterns\": [...]}");
        }
        Set<String> exact = new HashSet<>();
        urls.forEach(u -> exact.add(u.asText()));
        List<Pattern> compiled = new ArrayList<>();
        for (JsonNode p : patterns) {
            try {
                compiled.add(Pattern.compile(p.asText()));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("pattern " + p.asText() + ": " + e.getDescription(), e);
            }
        }
        return new Entries(Set.copyOf(exact), List.copyOf(compiled));
    }
}
