package io.imgedge.proxy.http;

import java.util.List;

/** What a reload did: the sections it applied, and the keys that changed but take effect only after a restart. */
public record Reloaded(List<String> reloaded, List<String> needRestart) {
}
