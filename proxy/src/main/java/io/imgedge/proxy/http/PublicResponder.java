package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.ImageService;
import io.netty.handler.codec.http.HttpRequest;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The public routes: each one line from route to service. Thread-safe. */
public final class PublicResponder implements Responder {
    private final ImageService images;
    private final ServerState state;

    public PublicResponder(ImageService images, ServerState state) {
        this.images = images;
        this.state = state;
    }

    @Override
    public Optional<HttpError> admit(Route route, HttpRequest request) {
        return Optional.empty();
    }

    @Override
    public long maxBody(Route route) {
        return 0;
    }

    @Override
    public CompletableFuture<Reply> answer(Route route, HttpRequest request, byte[] body) {
        return switch (route) {
            case Route.Health _ -> done(Reply.json(200, "status", "ok"));
            case Route.Ready _ -> done(state.draining()
                    ? Reply.error(HttpError.unavailable("draining")) : Reply.json(200, "status", "ready"));
            case Route.Process process -> images.process(process.path()).thenApply(Reply.Image::new);
            case Route.Rejected rejected -> done(Reply.error(rejected.error()));
        };
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
