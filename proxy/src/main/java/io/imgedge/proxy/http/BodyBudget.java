package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory request bodies may hold, node-wide and per client: bytes are reserved before a
 * body holds them and given back when it lets go (answered, refused, or its connection gone).
 * Past the node's budget a reservation is refused with 503, past the client's share with 429,
 * both with {@code Retry-After}. Thread-safe.
 */
public final class BodyBudget {
    private final long total;
    private final long perClient;
    private final AtomicLong used = new AtomicLong();
    /** Bytes held per client; a client holding none has no entry. */
    private final ConcurrentHashMap<String, Long> clients = new ConcurrentHashMap<>();

    public BodyBudget(long total, long perClient) {
        this.total = total;
        this.perClient = perClient;
    }

    /**
     * Reserves {@code bytes} more for {@code client}.
     *
     * @throws HttpError 503 when the node holds too much, 429 when this client does
     */
    public void reserve(String client, long bytes) {
        if (used.addAndGet(bytes) > total) {
            used.addAndGet(-bytes);
            throw HttpError.busy(503, "too many request bodies in memory on this node, try again shortly");
        }
        if (clients.merge(client, bytes, Long::sum) > perClient) {
            release(client, bytes);
            throw HttpError.tooManyRequests("this client's request bodies hold too much memory, try again shortly", 1);
        }
    }

    /** Gives back {@code bytes} reserved for {@code client}. */
    public void release(String client, long bytes) {
        if (bytes == 0) {
            return;
        }
        used.addAndGet(-bytes);
        clients.computeIfPresent(client, (_, held) -> held - bytes <= 0 ? null : held - bytes);
    }

    /** Bytes reserved now, node-wide (a gauge). */
    public long used() {
        return used.get();
    }
}
