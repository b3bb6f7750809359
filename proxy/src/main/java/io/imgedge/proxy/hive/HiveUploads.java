package io.imgedge.proxy.hive;

import io.imgedge.proxy.config.HiveConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.limit.LimitStore;
import io.imgedge.proxy.net.PercentEncoding;
import io.imgedge.proxy.store.StoreService;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The Hive imagehoster's signed uploads, checked in the order its upload.ts checks them: the
 * signature's form, a multipart body with a length within {@code max_image_size} (before the body
 * is read), a file in it, the account, the signature against the account's posting or active
 * keys (the file's challenge for {@code /{account}/{signature}}, its checksum's for
 * {@code /cs/...}), the blacklist, the quota (counted on every attempt that gets this far, as
 * the imagehoster's Redis rate limiter counts), the reputation; then the file is checked to be an
 * image within the limits, as {@code /upload} checks it, and stored under its imagehoster key.
 * Nothing is stored when any check fails. Thread-safe.
 */
public final class HiveUploads {
    /** An uploaded file: the name the client gave it ("" for none) and its bytes. */
    public record File(String filename, byte[] bytes) {
    }

    private final HiveConfig config;
    private final HiveAccounts accounts;
    private final HiveSigner signer;
    private final HiveBlacklist blacklist;
    private final LimitStore limits;
    private final StoreService store;
    private final ExecutorService virtualThreads;

    /** @param blacklist the accounts refused uploads */
    public HiveUploads(HiveConfig config, HiveAccounts accounts, HiveSigner signer, HiveBlacklist blacklist,
                       LimitStore limits, StoreService store, ExecutorService virtualThreads) {
        this.config = config;
        this.accounts = accounts;
        this.signer = signer;
        this.blacklist = blacklist;
        this.limits = limits;
        this.store = store;
        this.virtualThreads = virtualThreads;
    }

    /** An error answered before an upload's body is read, if any ({@code signature} null for a HiveSigner token). */
    public Optional<HttpError> admit(String signature, HttpRequest request) {
        try {
            if (signature != null) {
                HiveSignature.parse(signature);
            }
        } catch (IllegalArgumentException e) {
            return Optional.of(HiveErrors.of(HiveErrors.Code.INVALID_SIGNATURE, "invalid signature: " + e.getMessage()));
        }
        if (!request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").contains("multipart/form-data")) {
            return Optional.of(HiveErrors.of(HiveErrors.Code.BAD_REQUEST, "Only multipart uploads are supported"));
        }
        long length;
        try {
            length = Long.parseLong(request.headers().get(HttpHeaderNames.CONTENT_LENGTH, "").strip());
        } catch (NumberFormatException e) {
            return Optional.of(HiveErrors.of(HiveErrors.Code.LENGTH_REQUIRED, "Content-Length is required"));
        }
        if (length > config.maxImageBytes()) {
            return Optional.of(HiveErrors.of(HiveErrors.Code.PAYLOAD_TOO_LARGE, "larger than " + config.maxImageBytes()));
        }
        return Optional.empty();
    }

    /**
     * Checks and stores an upload signed with a key: {@code POST /{account}/{signature}} or {@code /cs/...}.
     *
     * @param body gives the body's first file (it may read a spooled body back: called off the event loop)
     * @return the imagehoster's answer, {@code {"url": ...}}; fails with its errors
     */
    public CompletableFuture<Map<String, Object>> upload(boolean checksum, String account, String signatureHex,
                                                          Supplier<Optional<File>> body) {
        HiveSignature signature = HiveSignature.parse(signatureHex);
        return file(body).thenCompose(file -> accounts.get(account).thenCompose(found -> {
            HiveAccounts.Account who = found.orElseThrow(() ->
                    HiveErrors.of(HiveErrors.Code.NO_SUCH_ACCOUNT, "no account " + account));
            byte[] signed = checksum ? HiveKeys.checksumChallenge(file.bytes()) : HiveKeys.challenge(file.bytes());
            String key = signature.recover(signed, config.addressPrefix()).orElse("");
            if (!who.posting().heldBy(key) && !who.active().heldBy(key)) {
                throw HiveErrors.of(HiveErrors.Code.INVALID_SIGNATURE, "not signed by " + account + "'s posting or active key");
            }
            return accept(who, file);
        }));
    }

    /**
     * Checks and stores an upload made with a HiveSigner token ({@code POST /hs/{token}}): the
     * token's author must be the account HiveSigner says it is, for our app, with the
     * {@code comment} scope, and the account must have granted our app one of its authorities.
     */
    public CompletableFuture<Map<String, Object>> upload(String token, Supplier<Optional<File>> body) {
        Optional<HiveSigner.Claims> claims = HiveSigner.claims(token);
        if (claims.isEmpty()) {
            return CompletableFuture.failedFuture(HiveErrors.of(HiveErrors.Code.INVALID_SIGNATURE, "not a HiveSigner token"));
        }
        String app = config.hiveSignerApp();
        return file(body).thenCompose(file -> signer.me(token).thenCompose(me -> {
            HiveAccounts.Account who = me.filter(m -> m.account().name().equals(claims.get().author())
                            && claims.get().app().equals(app) && m.scope().contains("comment"))
                    .map(HiveSigner.Me::account)
                    .filter(a -> a.posting().grantedTo(app) || a.active().grantedTo(app) || a.owner().grantedTo(app))
                    .orElseThrow(() -> HiveErrors.of(HiveErrors.Code.INVALID_SIGNATURE, "HiveSigner did not vouch for the token"));
            return accept(who, file);
        }));
    }

    private CompletableFuture<File> file(Supplier<Optional<File>> body) {
        return CompletableFuture.supplyAsync(() -> body.get().filter(f -> f.bytes().length > 0)
                .orElseThrow(() -> HiveErrors.of(HiveErrors.Code.FILE_MISSING, "no file in the upload")), virtualThreads);
    }

    /** The checks after the signature's (blacklist, quota, reputation), then the image check and the store. */
    private CompletableFuture<Map<String, Object>> accept(HiveAccounts.Account who, File file) {
        String account = who.name();
        if (blacklist.includes(account)) {
            throw HiveErrors.of(HiveErrors.Code.BLACKLISTED, account + " is blacklisted");
        }
        double perSecond = config.uploads() / (double) config.uploadPeriod().toSeconds();
        return limits.take("hive-upload:" + account, perSecond, config.uploads()).thenCompose(waitMillis -> {
            if (waitMillis > 0) {
                throw HiveErrors.of(HiveErrors.Code.QOUTA_EXCEEDED, account + " used its upload quota");
            }
            if (HiveAccounts.score(who.reputation()) < config.minReputation()) {
                throw HiveErrors.of(HiveErrors.Code.DEPLORABLE, account + "'s reputation is too low");
            }
            return store.upload(file::bytes, (bytes, _) -> HiveKeys.objectName(HiveKeys.upload(bytes), config.partitioned()));
        }).thenApply(stored -> Map.of("url", url(HiveKeys.upload(file.bytes()), file.filename())));
    }

    /** Where an upload is served: the service URL, its key, and the file's name (as new URL(`${key}/${name}`, service_url)). */
    String url(String key, String filename) {
        return config.serviceUrl().resolve(key + "/" + pathSegment(filename.isEmpty() ? "image" : filename)).toString();
    }

    /** {@code text} percent-encoded as one path segment (UTF-8; only unreserved and sub-delimiter characters kept). */
    static String pathSegment(String text) {
        return PercentEncoding.encode(text, "-._~!$&'()*+,;=:@");
    }
}
