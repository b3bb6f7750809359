package io.imgedge.proxy.hive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * JSON posted to the Hive services an operator configures (API nodes, HiveSigner), answered
 * within a timeout and a size: a blocking call, for virtual threads. Thread-safe.
 */
final class JsonPost {
    static final ObjectMapper JSON = new ObjectMapper();
    /** An answer is a few kilobytes; more is not an answer. */
    private static final int MAX_ANSWER = 1 << 20;

    /** An answer: its status and its JSON. */
    record Answer(int status, JsonNode json) {
    }

    private final HttpClient client;
    private final Duration timeout;

    JsonPost(Duration timeout, ExecutorService virtualThreads) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .executor(virtualThreads).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @throws IOException when there is no answer in time, it is too large or it is no JSON */
    Answer post(URI to, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(to).timeout(timeout).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] answer;
        try (InputStream in = response.body()) {
            answer = in.readNBytes(MAX_ANSWER + 1);
        }
        if (answer.length > MAX_ANSWER) {
            throw new IOException("an answer of more than " + MAX_ANSWER + " bytes");
        }
        return new Answer(response.statusCode(), JSON.readTree(answer));
    }
}
