package io.imgedge.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * HiveSigner's API on loopback for tests: {@code POST /api/me} with a token in {@code Authorization}
 * answers whose it is, as hivesigner.com answers (the account, as a node writes it, and the
 * token's scope), or 401 for a token it does not know.
 */
final class HiveSignerApi implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, ObjectNode> answers = new ConcurrentHashMap<>();

    HiveSignerApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * A token as HiveSigner issues it (base64url JSON, in the imagehoster's spelling), by
     * {@code author} for {@code app}, that the API says is {@code owner}'s with {@code scope}; the
     * account is the recorded one renamed, granting {@code granted} its posting authority.
     */
    String token(String author, String app, String owner, List<String> scope, String granted) {
        String json = "{\"signed_message\":{\"type\":\"posting\",\"app\":\"" + app + "\"},\"authors\":[\"" + author
                + "\"],\"timestamp\":1700000000,\"signatures\":[\"1f" + "ab".repeat(64) + "\"]}";
        String token = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))
                .replace('+', '-').replace('/', '_').replace('=', '.');
        ObjectNode account = HiveRpcNode.recorded().deepCopy();
        account.put("name", owner);
        account.put("reputation", "10525900772718");
        ((ObjectNode) account.path("posting")).putArray("account_auths").addArray().add(granted).add(1);
        ObjectNode answer = HiveRpcNode.JSON.createObjectNode().put("user", owner).put("_id", owner).put("name", owner);
        answer.set("account", account);
        scope.forEach(answer.putArray("scope")::add);
        answer.putObject("user_metadata");
        answers.put(token, answer);
        return token;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            ObjectNode answer = exchange.getRequestURI().getPath().equals("/api/me") && "POST".equals(exchange.getRequestMethod())
                    ? answers.get(exchange.getRequestHeaders().getFirst("Authorization")) : null;
            byte[] body = (answer == null ? "{\"error\":\"invalid_grant\",\"error_description\":\"The token is invalid\"}"
                    : HiveRpcNode.JSON.writeValueAsString(answer)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer == null ? 401 : 200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
