package io.imgedge.proxy.hive;

import io.imgedge.proxy.error.HttpError;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The imagehoster's editor-preview tokens (its proxy-auth.ts), kept in Redis under its own keys
 * ({@code proxy:auth:token:{token}} holding the account, for 30 minutes), so that imgedge and an
 * imagehoster sharing a Redis honour each other's tokens. Without Redis there are none, as there
 * are none on the imagehoster. Thread-safe.
 */
public final class ProxyAuthTokens implements AutoCloseable {
    /** How long a token lasts, in seconds (the imagehoster's TOKEN_TTL). */
    public static final int TTL_SECONDS = 1800;
    private static final String PREFIX = "proxy:auth:token:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<RedisClient> client;
    private final RedisURI uri;
    /** The connection, made when first needed and made again after it failed to be made. */
    private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;

    /** @param redisUri {@code redis.uri}, "" for none */
    public ProxyAuthTokens(String redisUri, Duration timeout) {
        this.uri = redisUri.isBlank() ? null : RedisURI.create(redisUri);
        this.client = Optional.ofNullable(uri).map(_ -> {
            RedisClient redis = RedisClient.create();
            redis.setOptions(ClientOptions.builder().autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(timeout)).build());
            return redis;
        });
    }

    public boolean available() {
        return client.isPresent();
    }

    private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        if (connection == null || connection.isCompletedExceptionally()) {
            connection = client.orElseThrow().connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        }
        return connection;
    }

    /** A new token for {@code account}. Fails with a 503 when Redis does not take it. */
    public CompletableFuture<String> issue(String account) {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        if (client.isEmpty()) {
            return CompletableFuture.failedFuture(HttpError.unavailable("Redis not configured"));
        }
        return connection().thenCompose(c -> c.async().set(PREFIX + token, account, SetArgs.Builder.ex(TTL_SECONDS)))
                .handle((_, failure) -> {
                    if (failure != null) {
                        throw HttpError.unavailable("Redis did not take the token");
                    }
                    return token;
                });
    }

    /** The account a live token was issued to; empty for none, or when Redis does not answer. */
    public CompletableFuture<Optional<String>> account(String token) {
        if (client.isEmpty() || !token.matches("[0-9a-f]{48}")) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return connection().thenCompose(c -> c.async().get(PREFIX + token))
                .handle((account, failure) -> failure == null ? Optional.ofNullable(account) : Optional.<String>empty());
    }

    @Override
    public void close() {
        client.ifPresent(RedisClient::shutdown);
    }
}
