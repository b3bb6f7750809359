package io.imgedge.proxy.url;

import java.util.Objects;

/** A parsed, signature-checked processing URL. */
public record ProcessingRequest(ProcessingOptions options, Source source) {
    public ProcessingRequest {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(source, "source");
    }
}
