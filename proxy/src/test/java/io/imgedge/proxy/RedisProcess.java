package io.imgedge.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real redis-server process on a free loopback port that a test can stop and start again. */
public final class RedisProcess implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process process;

    private RedisProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static RedisProcess start(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RedisProcess redis = new RedisProcess(dir, port);
        redis.start();
        return redis;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not start (is it installed? scripts/test installs it)");
            }
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    private boolean answers() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write("PING\r\n".getBytes());
            return socket.getInputStream().read() == '+';
        } catch (IOException e) {
            return false;
        }
    }

    /** How many times the server ran {@code command} so far (its INFO commandstats). */
    public long commandCount(String command) throws IOException, InterruptedException {
        Process info = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "info", "commandstats")
                .redirectErrorStream(true).start();
        String stats = new String(info.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        info.waitFor();
        java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    /** The value at {@code key} and its time to live in seconds, as redis-cli prints them ("" and -2 for none). */
    public String[] getWithTtl(String key) throws IOException, InterruptedException {
        String[] answer = new String[2];
        for (int i = 0; i < 2; i++) {
            Process cli = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), i == 0 ? "get" : "ttl", key)
                    .redirectErrorStream(true).start();
            answer[i] = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            cli.waitFor();
        }
        return answer;
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
