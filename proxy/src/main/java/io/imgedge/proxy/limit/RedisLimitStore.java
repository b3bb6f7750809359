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

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.List;
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
 * Redis time is used, never the nodes' clocks. A busy bucket is leased to each node in batches
 * (what it refills in {@value #LEASE_SECONDS} s, at most a quarter of its burst), and an empty one
 * is not asked again before Redis said a token comes, so a hit costs a trip to Redis only every
 * so many requests: the cluster still never grants more than the bucket holds.
 *
 * <p>When Redis is down, slow (no answer within {@code timeout}) or not reachable at start, the
 * node decides with its {@link LocalLimitStore} instead, so traffic is never refused for want of
 * Redis, and says so in {@link #fallingBack()}. While falling back it checks Redis once a second
 * and goes back to it as soon as it answers. Thread-safe.
 */
public final class RedisLimitStore implements LimitStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLimitStore.class);

    private static final String NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) ";
    /**
     * KEYS[1] bucket; ARGV rate per second, burst, tokens wanted. Takes as many whole tokens as
     * there are, up to the number wanted. Returns {taken, milliseconds until one is there}.
     */
    private static final String TAKE = NOW + """
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local wanted = tonumber(ARGV[3])
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
            local tokens = tonumber(state[1]) or burst
            local ts = tonumber(state[2]) or now
            tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
            local taken = math.min(wanted, math.floor(tokens))
            tokens = tokens - taken
            local wait = 0
            if taken == 0 then wait = math.ceil((1 - tokens) * 1000 / rate) end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
            redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
            return {taken, wait}
            """;
    /**
     * How many tokens one trip to Redis takes for a bucket: what the bucket refills in this long
     * (at most a quarter of its burst), so that a busy client costs a trip every so many requests
     * rather than one each. The cluster never grants more than the bucket holds; a node may hold a
     * few tokens another node's requests would have used.
     */
    private static final double LEASE_SECONDS = 0.05;
    /** Leased tokens not used within this are given up (the client went elsewhere, or away). */
    private static final long LEASE_NANOS = TimeUnit.SECONDS.toNanos(1);
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
    /** Leased tokens per bucket key; a lease unused for a minute is forgotten. */
    private final Cache<String, Lease> leases = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(1))
            .maximumSize(1_000_000).executor(Runnable::run).build();
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

    /**
     * Takes a token from this node's lease of the bucket when it has one, else leases a batch
     * from Redis (one trip per batch, however many requests wait for it).
     */
    @Override
    public CompletableFuture<Long> take(String key, double rate, int burst) {
        Lease lease = leases.get(key, _ -> new Lease());
        CompletableFuture<Long> trip;
        boolean leader = false;
        synchronized (lease) {
            long now = System.nanoTime();
            if (lease.tokens >= 1 && now - lease.until < 0) {
                lease.tokens--;
                return TAKEN;
            }
            if (now - lease.emptyUntil < 0) {
                // Redis said when the next token comes: no trip before then
                return CompletableFuture.completedFuture(Math.max(1, (lease.emptyUntil - now) / 1_000_000));
            }
            if (lease.pending == null) {
                lease.pending = new CompletableFuture<>();
                leader = true;
            }
            trip = lease.pending;
        }
        if (leader) {
            long wanted = (long) Math.max(1, Math.min(rate * LEASE_SECONDS, burst / 4.0));
            call(c -> c.async().<List<Long>>eval(TAKE, ScriptOutputType.MULTI, new String[]{prefix + key},
                            Double.toString(rate), Integer.toString(burst), Long.toString(wanted)).toCompletableFuture()
                            .thenApply(answer -> lease.granted(answer.get(0), answer.get(1))),
                    () -> local.take(key, rate, burst).thenApply(wait -> lease.granted(wait == 0 ? 1 : 0, wait)))
                    .exceptionally(failure -> lease.granted(0, 1000))
                    .thenAccept(trip::complete);
        }
        // a token of the batch, or, when the others waiting for the same trip took them all, another trip
        return trip.thenCompose(taken -> {
            long wait = lease.takeOrWait();
            return wait > 0 && taken > 0 ? take(key, rate, burst) : CompletableFuture.completedFuture(wait);
        });
    }

    private static final CompletableFuture<Long> TAKEN = CompletableFuture.completedFuture(0L);

    /** This node's tokens of one bucket, and the trip to Redis that brings more. */
    private static final class Lease {
        private double tokens;
        private long until;
        private long emptyUntil = System.nanoTime();
        private long waitMillis;
        private CompletableFuture<Long> pending;

        /** The batch arrived: {@code taken} tokens, or none and a wait. */
        synchronized long granted(long taken, long wait) {
            long now = System.nanoTime();
            tokens += taken;
            until = now + LEASE_NANOS;
            waitMillis = wait;
            emptyUntil = taken == 0 ? now + wait * 1_000_000 : now;
            pending = null;
            return taken;
        }

        /** One of the tokens, or (none left) the milliseconds to wait: 0 when taken. */
        synchronized long takeOrWait() {
            if (tokens >= 1) {
                tokens--;
                return 0;
            }
            return Math.max(1, waitMillis);
        }
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
