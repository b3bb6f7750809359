package io.imgedge.proxy;

import com.typesafe.config.ConfigException;
import io.imgedge.proxy.config.ConfigLoader;
import io.imgedge.proxy.config.ImgedgeConfig;
import io.imgedge.vips.ImageFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Optional;

/**
 * {@code imgedge [--config FILE] [--check-config [FILE]]}: loads the configuration and runs a node
 * until SIGTERM/SIGINT, then drains. Exit status 2 for a bad configuration, 1 for a failed start.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger("imgedge");

    private Main() {
    }

    public static void main(String[] args) {
        Optional<Path> file = Optional.empty();
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        exit(2, "imgedge: --config needs a file");
                    }
                    file = Optional.of(Path.of(args[++i]));
                }
                case "--check-config" -> {
                    checkOnly = true;
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        file = Optional.of(Path.of(args[++i]));
                    }
                }
                case "-h", "--help" -> exit(0, "usage: imgedge [--config FILE] [--check-config [FILE]]");
                default -> exit(2, "imgedge: unknown argument " + args[i] + " (try --help)");
            }
        }
        ImgedgeConfig config = null;
        try {
            config = ImgedgeServer.checked(ConfigLoader.load(file, System.getenv(), Map.of()));
        } catch (ConfigException e) {
            exit(2, "imgedge: invalid config: " + e.getMessage());
        }
        if (checkOnly) {
            exit(0, "imgedge: config OK" + file.map(f -> " (" + f + ")").orElse(""));
        }
        ImgedgeServer server = null;
        try {
            Optional<Path> from = file;
            server = ImgedgeServer.start(config, java.time.InstantSource.system(),
                    () -> ConfigLoader.load(from, System.getenv(), Map.of()));
        } catch (Exception | LinkageError e) {
            exit(1, "imgedge: cannot start: " + e.getMessage());
        }
        ImgedgeServer running = server;
        // SIGHUP: read the configuration again and apply what can change while serving
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), _ -> {
            try {
                running.reload();
            } catch (ConfigException e) {
                LOG.error("configuration not reloaded: {}", e.getMessage());
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("imgedge stopping: draining in-flight requests");
            running.close();
            LOG.info("imgedge stopped");
        }, "imgedge-shutdown"));
        LOG.info("imgedge started\n  http   {}\n  https  {}\n  admin  {}\n  libvips {}, workers {}, signing {}"
                        + "\n  reads  {}\n  writes {} (by Accept: {})",
                running.httpAddress(), running.httpsAddress().map(String::valueOf).orElse("off"),
                running.adminAddress().map(String::valueOf).orElse("off"), running.vipsVersion(),
                config.limits().workers(), config.signing().enabled() ? "on" : "OFF",
                "jpg png webp gif avif heic tiff bmp ico" + (config.limits().svg() ? " svg (sanitised)" : ""),
                Arrays.stream(ImageFormat.values()).filter(ImageFormat::writable).map(f -> running.outputs().contains(f)
                        ? f.extension() : "(no " + f.extension() + ": this libvips has no saver for it)")
                        .collect(Collectors.joining(" ")),
                config.processing().autoFormats().isEmpty() ? "off" : config.processing().autoFormats().stream()
                        .map(ImageFormat::extension).collect(Collectors.joining(" ")));
    }

    private static void exit(int status, String message) {
        (status == 0 ? System.out : System.err).println(message);
        System.exit(status);
    }
}
