package io.imgedge.proxy.hive;

import com.fasterxml.jackson.databind.JsonNode;
import io.imgedge.proxy.error.HttpError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * HiveSigner access tokens, checked as the imagehoster's uploadHsHandler checks them: the token
 * (base64url JSON, as HiveSigner issues it) names its author and app, and HiveSigner's own API
 * ({@code POST {api}/api/me} with the token, as the hivesigner client's {@code me()} asks) says
 * whose it is, with the account and the token's scope. Thread-safe.
 */
public final class HiveSigner {
    private static final Logger LOG = LoggerFactory.getLogger(HiveSigner.class);
    private static final List<String> MESSAGE_TYPES = List.of("login", "posting", "offline", "code", "refresh");

    /** What a token says of itself: its author and the app it was signed for. */
    public record Claims(String author, String app) {
    }

    /** HiveSigner's answer for a token: the account it belongs to and what it may do. */
    public record Me(HiveAccounts.Account account, List<String> scope) {
    }

    private final URI api;
    private final JsonPost post;
    private final ExecutorService virtualThreads;

    public HiveSigner(URI api, Duration timeout, ExecutorService virtualThreads) {
        this.api = api.resolve("/api/me");
        this.post = new JsonPost(timeout, virtualThreads);
        this.virtualThreads = virtualThreads;
    }

    /**
     * The claims of a token as the imagehoster reads them (base64url, with its own spelling of
     * the alphabet: {@code -_.} for {@code +/=}); empty when it is no token of a kind it takes.
     */
    public static Optional<Claims> claims(String token) {
        try {
            String base64 = token.replace('-', '+').replace('_', '/').replace('.', '=');
            JsonNode json = JsonPost.JSON.readTree(new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8));
            JsonNode message = json.path("signed_message");
            String author = json.path("authors").path(0).asText("");
            boolean signed = !json.path("signatures").path(0).asText("").isEmpty();
            String app = message.path("app").asText("");
            if (author.isEmpty() || !signed || app.isEmpty() || !MESSAGE_TYPES.contains(message.path("type").asText(""))) {
                return Optional.empty();
            }
            return Optional.of(new Claims(author, app));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whose {@code token} is, as HiveSigner says; empty when it refuses the token. Fails with a 503 when it does not answer. */
    public CompletableFuture<Optional<Me>> me(String token) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                JsonPost.Answer answer = post.post(api, "{}", Map.of("Authorization", token));
                if (answer.status() != 200) {
                    return Optional.empty();
                }
                List<String> scope = new ArrayList<>();
                answer.json().path("scope").forEach(s -> scope.add(s.asText()));
                return HiveAccounts.Account.of(answer.json().path("account")).map(account -> new Me(account, scope));
            } catch (IOException e) {
                LOG.warn("HiveSigner at {} failed: {}", api, e.toString());
                throw HttpError.unavailable("HiveSigner did not answer");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw HttpError.unavailable("HiveSigner did not answer");
            }
        }, virtualThreads);
    }
}
