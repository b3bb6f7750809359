package io.imgedge.storage;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server process (S3Proxy on the filesystem) that a test can stop and start again on
 * the same port and data, standing in for one MinIO server. The jar comes from the system
 * property {@code imgedge.test.s3proxy.jar}, which the build sets to the copy Maven fetched.
 */
public final class S3ProxyProcess implements AutoCloseable {
    public static final String ACCESS_KEY = "imgedge-test";
    public static final String SECRET_KEY = "imgedge-test-secret";

    private final Path dir;
    private final int port;
    private Process process;

    private S3ProxyProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server keeping its objects under {@code dir}. */
    public static S3ProxyProcess start(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        S3ProxyProcess server = new S3ProxyProcess(dir, port);
        server.start();
        return server;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public S3Config config() {
        return new S3Config(endpoint(), ACCESS_KEY, SECRET_KEY, "us-east-1", Duration.ofSeconds(5), 16);
    }

    /** Where the objects of {@code bucket} lie on disk (to damage them behind the server's back). */
    public Path bucketDir(String bucket) {
        return dir.resolve("data").resolve(bucket);
    }

    /** Starts the process (again, unless it runs) and waits until it answers. */
    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        String jar = System.getProperty("imgedge.test.s3proxy.jar", "");
        if (jar.isBlank() || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("no S3Proxy jar at '" + jar + "': run the integration tests with ./mvnw verify");
        }
        Files.createDirectories(dir.resolve("data"));
        Path properties = Files.writeString(dir.resolve("s3proxy.properties"), String.join("\n",
                "s3proxy.endpoint=" + endpoint(),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + dir.resolve("data"), ""));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        process = new ProcessBuilder(java.toString(), "-jar", jar, "--properties", properties.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start; see " + dir.resolve("s3proxy.log"));
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint().toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            c.getResponseCode();
            c.disconnect();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Freezes the process (SIGSTOP): it keeps its port and connections but answers nothing, as a hung server. */
    public void hang() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Lets a frozen process go on (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** Stops the process (as a crash would: nothing is flushed) and waits for it to end. */
    public void stop() throws InterruptedException {
        if (process != null) {
            try {
                resume(); // a frozen process does not die of SIGKILL until it runs again on some kernels
            } catch (IOException | IllegalStateException ignored) {
                // it is killed anyway
            }
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
