package io.imgedge.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hive API node on loopback for tests: answers {@code condenser_api.get_accounts} as hived does
 * (JSON-RPC 2.0 over HTTP POST), with accounts built from a recorded answer
 * ({@code hive/get_accounts-hiveio.json}). It can also hang, lie (answer with another account) or
 * fail, as real nodes sometimes do.
 */
final class HiveRpcNode implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    enum Mode { ANSWER, HANG, LIE, FAIL }

    private final HttpServer server;
    private final Map<String, ObjectNode> accounts = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();
    volatile Mode mode = Mode.ANSWER;

    HiveRpcNode() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        accounts.put("hiveio", recorded());
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    int calls() {
        return calls.get();
    }

    /** The recorded account (hiveio), as the node answered it. */
    static ObjectNode recorded() {
        try (InputStream in = HiveRpcNode.class.getResourceAsStream("/hive/get_accounts-hiveio.json")) {
            return (ObjectNode) JSON.readTree(in).path("result").get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An account like the recorded one, named {@code name}, with these keys and reputation. */
    void add(String name, String postingKey, String activeKey, String ownerKey, String reputation) {
        ObjectNode account = recorded().deepCopy();
        account.put("name", name);
        account.put("reputation", reputation);
        authority(account, "posting", postingKey);
        authority(account, "active", activeKey);
        authority(account, "owner", ownerKey);
        accounts.put(name, account);
    }

    /** Sets an account's two profile documents (null: as recorded). */
    void metadata(String name, String posting, String json) {
        ObjectNode account = accounts.get(name);
        if (posting != null) {
            account.put("posting_json_metadata", posting);
        }
        if (json != null) {
            account.put("json_metadata", json);
        }
    }

    private static void authority(ObjectNode account, String role, String key) {
        ArrayNode keys = ((ObjectNode) account.path(role)).putArray("key_auths");
        keys.addArray().add(key).add(1);
    }

    private void handle(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            if (mode == Mode.HANG) {
                closing.await(30, TimeUnit.SECONDS);
                return;
            }
            ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
            answer.set("id", request.path("id"));
            if (mode == Mode.FAIL || !"condenser_api.get_accounts".equals(request.path("method").asText())) {
                answer.putObject("error").put("code", -32603).put("message", "Internal Error");
            } else {
                ArrayNode result = answer.putArray("result");
                for (JsonNode name : request.path("params").path(0)) {
                    ObjectNode account = mode == Mode.LIE ? recorded() : accounts.get(name.asText());
                    if (account != null) {
                        result.add(account);
                    }
                }
            }
            byte[] body = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away (timed out): expected when hanging
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
