package io.imgedge.proxy.limit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Limits shared by every node through Redis: each check is one atomic Lua script (token bucket
 * refill-and-take; slots as a sorted set scored by expiry, so slots of a crashed node expire).
 * Redis time is used, never the nodes' clocks.
 *
 * <p>When Redis is down, slow (no answer within {@code timeout}) or not reachable at start, the
 * node decides with its {@link LocalLimitStore} instead, so traffic is never refused for want of
 * Redis, and says so in {@link #fallingBack()}. While falling back it checks Redis once a second
 * and goes back to it as soon as it answers. Thread-safe.
 */
public final class RedisLimitStore implements LimitStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLimitStore.class);

    private static final String NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) ";
    /** KEYS[1] bucket; ARGV rate per second, burst. Returns 0 or the milliseconds to wait. */
    private static final String TAKE = NOW + """
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
            local tokens = tonumber(state[1]) or burst
            local ts = tonumber(state[2]) or now
            tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
            local wait = 0
            if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
            redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
            return wait
            """;
    /** KEYS[1] slot set; ARGV max, ttl ms, slot id. Returns 1 when taken. */
    private static final String ACQUIRE = NOW + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
              redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
              redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
              return 1
            end
            return 0
            """;

    private final RedisClient client;
    private final RedisURI uri;
    private final Duration timeout;
    private final String prefix;
    private final LocalLimitStore local;
    private final AtomicBoolean fallingBack = new AtomicBoolean(true);
    private final ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("redis-probe").factory());
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean announcedDown;

    /**
     * Connects in the background; until connected, limits are local.
     *
     * @param prefix  namespace of every key this store writes
     * @param timeout longest a check waits for Redis before deciding locally
     */
    public RedisLimitStore(String uri, Duration timeout, String prefix, LocalLimitStore local) {
        this.uri = RedisURI.create(uri);
        this.timeout = timeout;
        this.prefix = prefix;
        this.local = local;
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout.multipliedBy(10)).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        probe.scheduleWithFixedDelay(this::check, 0, 1, TimeUnit.SECONDS);
    }

    /** Whether checks are being decided locally because Redis does not answer. */
    public boolean fallingBack() {
        return fallingBack.get();
    }

    @Override
    public CompletableFuture<Long> take(String key, double rate, int burst) {
        return call(c -> c.async().<Long>eval(TAKE, ScriptOutputType.INTEGER, new String[]{prefix + key},
                Double.toString(rate), Integer.toString(burst)).toCompletableFuture(),
                () -> local.take(key, rate, burst));
    }

    @Override
    public CompletableFuture<Optional<Slot>> acquire(String key, int max, Duration ttl) {
        String id = UUID.randomUUID().toString();
        String redisKey = prefix + key;
        return call(c -> c.async().<Long>eval(ACQUIRE, ScriptOutputType.INTEGER, new String[]{redisKey},
                        Integer.toString(max), Long.toString(ttl.toMillis()), id).toCompletableFuture()
                        .thenApply(taken -> taken == 1 ? Optional.<Slot>of(() -> release(c, redisKey, id)) : Optional.<Slot>empty()),
                () -> local.acquire(key, max, ttl));
    }

    private void release(StatefulRedisConnection<String, String> c, String key, String id) {
        c.async().zrem(key, id).exceptionally(e -> {
            LOG.debug("could not release a slot of {} (it expires by itself): {}", key, e.toString());
            return 0L;
        });
    }

    /** Asks Redis, or the local store when Redis is not usable or does not answer in time. */
    private <T> CompletableFuture<T> call(Function<StatefulRedisConnection<String, String>, CompletableFuture<T>> redis,
                                          java.util.function.Supplier<CompletableFuture<T>> fallback) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null || fallingBack.get()) {
            return fallback.get();
        }
        CompletableFuture<T> asked;
        try {
            asked = redis.apply(c);
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        return asked.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((value, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(value);
            }
            if (fallingBack.compareAndSet(false, true)) {
                LOG.warn("Redis does not answer ({}); limits are local to this node until it does", failure.toString());
            }
            return fallback.get();
        }).thenCompose(Function.identity());
    }

    /** Connects when not connected, pings when falling back; clears the fallback once Redis answers. */
    private void check() {
        try {
            StatefulRedisConnection<String, String> c = connection;
            if (c == null) {
                c = client.connect(StringCodec.UTF8, uri);
                connection = c;
            }
            if (fallingBack.get()) {
                c.sync().ping();
                fallingBack.set(false);
                announcedDown = false;
                LOG.info("Redis at {}:{} answers: limits are cluster-wide", uri.getHost(), uri.getPort());
            }
        } catch (RuntimeException e) {
            if (!announcedDown) {
                announcedDown = true;
                LOG.warn("Redis at {}:{} is unreachable ({}); limits are local to this node until it answers",
                        uri.getHost(), uri.getPort(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        probe.shutdownNow();
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        local.close();
    }
}
