package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.error.HttpError;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the public routes answer; {@link RequestHandler} does the HTTP around it. Implementations
 * are thread-safe and never block the calling event loop: slow work completes the future later.
 */
public interface Responder {
    /**
     * Checks a request that carries a body ({@link Route#takesBody()}) before any of the body is
     * read: an error is answered at once and the connection closed, so the body is never read.
     */
    Optional<HttpError> admit(Route route, HttpRequest request);

    /** The largest body {@link #answer} accepts; past it the request is answered 413. */
    long maxBody(Route route);

    /**
     * Who a request is, for the share of body memory it may hold: the upload tenant, else the address.
     *
     * @param peer the address the connection comes from, or null when it has none (tests)
     */
    String client(HttpRequest request, InetSocketAddress peer);

    /**
     * @param body the request body, {@link RequestBody#EMPTY} for routes that take none; the
     *             handler closes it once the response is written, so the reply's future must
     *             be done with it by then
     * @param peer    the address the connection comes from, or null when it has none (tests)
     * @param waiting told when the request stops waiting (timed out, client gone), so that work
     *                for it alone can be dropped
     */
    CompletableFuture<Reply> answer(Route route, HttpRequest request, RequestBody body, InetSocketAddress peer,
                                    Waiting waiting);
}
