package io.imgedge.proxy.hive;

import com.fasterxml.jackson.databind.JsonNode;
import io.imgedge.proxy.config.HiveConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The imagehoster's {@code POST /proxy-auth/{account}/{signature}} (its proxy-auth.ts): an
 * account proves it holds its posting key by signing
 * {@code sha256("Authorize image proxy preview for {account} at {ISO time}")} for a time within
 * five minutes of ours (the body {@code {"timestamp": epoch millis}}), is not blacklisted and has
 * the reputation uploads need, and gets a token for 30 minutes; {@code /p/} URLs carrying it are
 * answered {@code private, no-store}. Thread-safe.
 */
public final class HiveProxyAuth {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final long SKEW_MILLIS = 5 * 60 * 1000;

    private final HiveConfig config;
    private final HiveAccounts accounts;
    private final HiveBlacklist blacklist;
    private final ProxyAuthTokens tokens;
    private final InstantSource clock;

    /** @param blacklist the accounts refused */
    public HiveProxyAuth(HiveConfig config, HiveAccounts accounts, HiveBlacklist blacklist, ProxyAuthTokens tokens,
                         InstantSource clock) {
        this.config = config;
        this.accounts = accounts;
        this.blacklist = blacklist;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** The tokens issued. */
    public ProxyAuthTokens tokens() {
        return tokens;
    }

    /** @return {@code {"token": ..., "expires_in": 1800}}; fails with the imagehoster's errors */
    public CompletableFuture<Map<String, Object>> authorize(String account, String signatureHex, byte[] body) {
        if (!tokens.available()) {
            return CompletableFuture.failedFuture(HiveErrors.of(HiveErrors.Code.BAD_REQUEST, "Redis not configured"));
        }
        long timestamp;
        try {
            JsonNode json = JsonPost.JSON.readTree(new String(body, StandardCharsets.UTF_8));
            JsonNode value = json == null ? null : json.path("timestamp");
            if (value == null || !value.isNumber() || value.asDouble() == 0) {
                throw new IOException("no timestamp");
            }
            timestamp = value.asLong();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(HiveErrors.of(HiveErrors.Code.BAD_REQUEST,
                    "Request body must include numeric timestamp"));
        }
        if (Math.abs(clock.millis() - timestamp) >= SKEW_MILLIS) {
            return CompletableFuture.failedFuture(HiveErrors.of(HiveErrors.Code.BAD_REQUEST, "Timestamp too far from current time"));
        }
        HiveSignature signature;
        try {
            signature = HiveSignature.parse(signatureHex);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(HiveErrors.of(HiveErrors.Code.INVALID_SIGNATURE, "invalid signature"));
        }
        byte[] challenge = sha256("Authorize image proxy preview for " + account + " at "
                + ISO.format(Instant.ofEpochMilli(timestamp)));
        return accounts.get(account).thenCompose(found -> {
            HiveAccounts.Account who = found.orElseThrow(() ->
                    HiveErrors.of(HiveErrors.Code.NO_SUCH_ACCOUNT, "no account " + account));
            if (!who.posting().heldBy(signature.recover(challenge, config.addressPrefix()).orElse(""))) {
                throw HiveErrors.of(HiveErrors.Code.INVALID_SIGNATURE, "not signed by " + account + "'s posting key");
            }
            if (blacklist.includes(account)) {
                throw HiveErrors.of(HiveErrors.Code.BLACKLISTED, account + " is blacklisted");
            }
            if (HiveAccounts.previewScore(who.reputation()) < config.minReputation()) {
                throw HiveErrors.of(HiveErrors.Code.DEPLORABLE, account + "'s reputation is too low");
            }
            return tokens.issue(account);
        }).thenApply(token -> Map.of("token", token, "expires_in", ProxyAuthTokens.TTL_SECONDS));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
