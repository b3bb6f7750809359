package io.imgedge.proxy.tls;

import io.imgedge.proxy.config.ServerConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server's TLS context: BoringSSL (netty-tcnative) when it loads, the JDK otherwise; ALPN
 * offers h2 then http/1.1. Without a configured certificate, a self-signed one for localhost is
 * made once with the {@code openssl} CLI and kept in the configured directory.
 */
public final class TlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    private static final String CERT = "cert.pem";
    private static final String KEY = "key.pem";

    private TlsContexts() {
    }

    public static SslContext server(ServerConfig.Https https) throws IOException {
        Path cert = https.certFile();
        Path key = https.keyFile();
        if (cert == null) {
            cert = https.selfSignedDir().resolve(CERT);
            key = https.selfSignedDir().resolve(KEY);
            if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
                makeSelfSigned(https.selfSignedDir());
            }
        }
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        if (provider == SslProvider.JDK) {
            LOG.warn("netty-tcnative BoringSSL unavailable ({}), using the JDK's TLS", OpenSsl.unavailabilityCause().toString());
        }
        return SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .sslProvider(provider)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    /** Writes {@code cert.pem} and {@code key.pem} (PKCS#8, P-256) into {@code dir}, atomically. */
    static void makeSelfSigned(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, ".tmp-");
        try {
            List<String> command = List.of("openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "825",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
                    "-keyout", work.resolve(KEY).toString(), "-out", work.resolve(CERT).toString());
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IOException("no TLS certificate configured (server.https.cert_file) and the openssl "
                        + "command is not installed to make a self-signed one", e);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("openssl could not make a self-signed certificate: " + output.strip());
            }
            Files.move(work.resolve(KEY), dir.resolve(KEY), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(work.resolve(CERT), dir.resolve(CERT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("made a self-signed certificate for localhost in {}", dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making a certificate", e);
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(work);
        }
    }
}
