package io.imgedge.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOrigin;

import java.time.Duration;
import java.util.List;

/**
 * A part of the configuration read by its full path, so that every error names the whole key
 * ({@code imgedge.server.http.port}) and where its value was set.
 *
 * @param path the section's own path, or empty for a root
 */
record Section(Config root, String path) {

    Section sub(String name) {
        return new Section(root, key(name));
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    ConfigOrigin origin(String name) {
        return root.hasPath(key(name)) ? root.getValue(key(name)).origin() : root.origin();
    }

    boolean has(String name) {
        return root.hasPath(key(name));
    }

    boolean getBoolean(String name) {
        return root.getBoolean(key(name));
    }

    int getInt(String name) {
        return root.getInt(key(name));
    }

    double getDouble(String name) {
        return root.getDouble(key(name));
    }

    long getLong(String name) {
        return root.getLong(key(name));
    }

    long getBytes(String name) {
        return root.getBytes(key(name));
    }

    Duration getDuration(String name) {
        return root.getDuration(key(name));
    }

    String getString(String name) {
        return root.getString(key(name));
    }

    /** The objects of a list, each as a root section. */
    List<Section> getSections(String name) {
        return root.getConfigList(key(name)).stream().map(c -> new Section(c, "")).toList();
    }
}
