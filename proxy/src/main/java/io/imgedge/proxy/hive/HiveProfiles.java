package io.imgedge.proxy.hive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgedge.proxy.config.HiveConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where an account's avatar and cover are, as the imagehoster's avatar.ts and cover.ts find
 * them: the profile in {@code posting_json_metadata} when it carries a version, else in
 * {@code json_metadata}; its {@code profile_image} or {@code cover_image} when it is an http(s)
 * URL, else the configured default; answered as a {@code /p/} path at the avatar's size (small
 * 64, medium 128, the default, large 512) or the cover's 1344x240. Thread-safe.
 */
public final class HiveProfiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Integer> AVATAR_SIZES = Map.of("small", 64, "medium", 128, "large", 512);

    private final HiveConfig config;
    private final HiveAccounts accounts;

    public HiveProfiles(HiveConfig config, HiveAccounts accounts) {
        this.config = config;
        this.accounts = accounts;
    }

    /** The {@code /p/} path of {@code account}'s avatar at {@code size} (null or unknown: medium). */
    public CompletableFuture<String> avatar(String account, String size) {
        int side = size == null ? 128 : AVATAR_SIZES.getOrDefault(size, 128);
        return image(account, "profile_image", config.defaultAvatar())
                .thenApply(url -> "/p/" + b58(url) + "?width=" + side + "&height=" + side);
    }

    /** The {@code /p/} path of {@code account}'s cover. */
    public CompletableFuture<String> cover(String account) {
        return image(account, "cover_image", config.defaultCover())
                .thenApply(url -> "/p/" + b58(url) + "?width=1344&height=240");
    }

    private CompletableFuture<String> image(String account, String field, String fallback) {
        return accounts.get(account).thenApply(found -> {
            HiveAccounts.Account who = found.orElseThrow(() ->
                    HiveErrors.of(HiveErrors.Code.NO_SUCH_ACCOUNT, "no account " + account));
            JsonNode url = profile(who).path(field);
            return url.isTextual() && url.asText().matches("(?s)^https?://.*") ? url.asText() : fallback;
        });
    }

    /** The profile object the imagehoster reads, or a missing node. */
    static JsonNode profile(HiveAccounts.Account account) {
        Optional<JsonNode> posting = parse(account.postingJsonMetadata())
                .filter(m -> m.path("profile").isObject() && isSet(m.path("profile").path("version")));
        return posting.or(() -> parse(account.jsonMetadata())).map(m -> m.path("profile"))
                .orElse(JSON.missingNode());
    }

    /** JavaScript's truthiness of a JSON value. */
    private static boolean isSet(JsonNode value) {
        return !value.isMissingNode() && !value.isNull() && !(value.isBoolean() && !value.asBoolean())
                && !(value.isNumber() && value.asDouble() == 0) && !(value.isTextual() && value.asText().isEmpty());
    }

    private static Optional<JsonNode> parse(String json) {
        if (json == null || json.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String b58(String url) {
        return Base58.encode(url.getBytes(StandardCharsets.UTF_8));
    }
}
