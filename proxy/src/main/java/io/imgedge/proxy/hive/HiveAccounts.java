package io.imgedge.proxy.hive;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.imgedge.proxy.cache.SingleFlight;
import io.imgedge.proxy.error.HttpError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;

/**
 * Hive accounts from the configured API nodes ({@code condenser_api.get_accounts}, as dhive asks
 * for them), each node tried in turn within its timeout; an answer that is not JSON-RPC, names
 * another account or is too large counts as no answer. Answers are remembered for a while, so an
 * uploader's burst asks once. Thread-safe.
 */
public final class HiveAccounts {
    private static final Logger LOG = LoggerFactory.getLogger(HiveAccounts.class);
    /** Hive account names: 3 to 16 of a-z, 0-9, '.' and '-'. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9.-]{2,15}");

    /** An authority: keys and accounts with weights, and the weight a signature needs. */
    public record Authority(int threshold, List<KeyWeight> keys, List<String> accounts) {
        /** Whether {@code key} alone carries this authority. */
        public boolean heldBy(String key) {
            return keys.stream().anyMatch(k -> k.key().equals(key) && k.weight() >= threshold);
        }

        /** Whether {@code account} is one of the accounts this authority is granted to (an app's, such as HiveSigner's). */
        public boolean grantedTo(String account) {
            return accounts.contains(account);
        }
    }

    public record KeyWeight(String key, int weight) {
    }

    /**
     * What the uploads and profiles need of an account.
     *
     * @param reputation the raw reputation as the node wrote it (a number, possibly huge or negative)
     */
    public record Account(String name, String reputation, Authority owner, Authority active, Authority posting,
                          String postingJsonMetadata, String jsonMetadata) {
        /** An account as a node writes it (condenser_api.get_accounts, HiveSigner's /api/me), or empty when it is not one. */
        static Optional<Account> of(JsonNode account) {
            if (!account.path("name").isTextual() || !account.path("posting").isObject() || !account.path("active").isObject()) {
                return Optional.empty();
            }
            return Optional.of(new Account(account.path("name").asText(), account.path("reputation").asText("0"),
                    authority(account.path("owner")), authority(account.path("active")), authority(account.path("posting")),
                    account.path("posting_json_metadata").asText(""), account.path("json_metadata").asText("")));
        }
    }

    private final List<URI> nodes;
    private final JsonPost post;
    private final ExecutorService virtualThreads;
    private final Cache<String, Optional<Account>> known;
    private final SingleFlight<String, Optional<Account>> asking = new SingleFlight<>();

    public HiveAccounts(List<URI> nodes, Duration timeout, Duration ttl, ExecutorService virtualThreads) {
        this.nodes = List.copyOf(nodes);
        this.post = new JsonPost(timeout, virtualThreads);
        this.virtualThreads = virtualThreads;
        this.known = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(10_000).build();
    }

    /**
     * The account named {@code name}, or empty when the chain has none (names that cannot be
     * accounts are not asked for). Fails with a 503 {@link HttpError} when no node answers.
     */
    public CompletableFuture<Optional<Account>> get(String name) {
        if (!NAME.matcher(name).matches()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Optional<Account> remembered = known.getIfPresent(name);
        if (remembered != null) {
            return CompletableFuture.completedFuture(remembered);
        }
        // one question per account at a time; only answers are remembered, never a failure to get one
        return asking.run(name, () -> CompletableFuture.supplyAsync(() -> ask(name), virtualThreads)
                .whenComplete((account, failure) -> {
                    if (failure == null) {
                        known.put(name, account);
                    }
                })).result();
    }

    private Optional<Account> ask(String name) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"condenser_api.get_accounts\",\"params\":[[\""
                + name + "\"]]}";
        for (URI node : nodes) {
            try {
                JsonPost.Answer answer = post.post(node, body, Map.of());
                if (answer.status() != 200) {
                    LOG.warn("Hive API node {} answered {} for account {}", node, answer.status(), name);
                    continue;
                }
                Optional<Optional<Account>> read = read(answer.json(), name);
                if (read.isPresent()) {
                    return read.get();
                }
                LOG.warn("Hive API node {} gave no usable answer for account {}", node, name);
            } catch (IOException e) {
                LOG.warn("Hive API node {} failed for account {}: {}", node, name, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw HttpError.unavailable("no Hive API node answered for account " + name);
    }

    /** The account in a JSON-RPC answer: empty outside when the answer is unusable, inside when there is no such account. */
    static Optional<Optional<Account>> read(JsonNode answer, String name) {
        JsonNode result = answer.path("result");
        if (!result.isArray() || answer.has("error")) {
            return Optional.empty();
        }
        if (result.isEmpty()) {
            return Optional.of(Optional.empty());
        }
        Optional<Account> account = Account.of(result.get(0)).filter(a -> a.name().equals(name));
        return account.isEmpty() ? Optional.empty() : Optional.of(account);
    }

    private static Authority authority(JsonNode node) {
        List<KeyWeight> keys = new ArrayList<>();
        for (JsonNode auth : node.path("key_auths")) {
            if (auth.isArray() && auth.size() == 2 && auth.get(0).isTextual() && auth.get(1).canConvertToInt()) {
                keys.add(new KeyWeight(auth.get(0).asText(), auth.get(1).asInt()));
            }
        }
        List<String> accounts = new ArrayList<>();
        for (JsonNode auth : node.path("account_auths")) {
            if (auth.isArray() && auth.size() == 2 && auth.get(0).isTextual()) {
                accounts.add(auth.get(0).asText());
            }
        }
        return new Authority(node.path("weight_threshold").asInt(Integer.MAX_VALUE), List.copyOf(keys), List.copyOf(accounts));
    }

    /**
     * The imagehoster's reputation score (its repLog10, "from the old codebase"): 25 plus 9 per
     * order of magnitude past a billion, negative for negative raw reputations, truncated.
     */
    public static int score(String raw) {
        String rep = raw.strip();
        boolean negative = rep.startsWith("-");
        rep = negative ? rep.substring(1) : rep;
        double out = log10(rep);
        if (Double.isNaN(out)) {
            out = 0;
        }
        out = Math.max(out - 9, 0);
        out = (negative ? -1 : 1) * out;
        out = out * 9 + 25;
        return (int) out;
    }

    /**
     * The reputation score as the imagehoster's proxy-auth.ts computes it (a closer log10 than
     * {@link #score}'s, not truncated).
     */
    public static double previewScore(String raw) {
        String rep = raw.strip();
        boolean negative = rep.startsWith("-");
        rep = negative ? rep.substring(1) : rep;
        double out;
        try {
            out = Math.log10(Double.parseDouble(rep.length() > 15 ? rep.substring(0, 15) : rep.isEmpty() ? "0" : rep));
        } catch (NumberFormatException e) {
            out = Double.NaN;
        }
        if (rep.length() > 15) {
            out += rep.length() - 15;
        }
        if (Double.isNaN(out)) {
            out = 0;
        }
        out = Math.max(out - 9, 0);
        return (negative ? -1 : 1) * out * 9 + 25;
    }

    /** The imagehoster's rough log10 of a digit string: its length less one, plus the fraction of its first four digits' log. */
    private static double log10(String digits) {
        int end = 0;
        while (end < Math.min(4, digits.length()) && Character.isDigit(digits.charAt(end)) && digits.charAt(end) < 128) {
            end++;
        }
        if (end == 0) {
            return Double.NaN;
        }
        double log = Math.log(Integer.parseInt(digits.substring(0, end))) / Math.log(10);
        return digits.length() - 1 + (log - (long) log);
    }
}
