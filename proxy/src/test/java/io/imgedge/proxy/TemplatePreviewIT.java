package io.imgedge.proxy;

import io.imgedge.vips.TestImages;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The template preview page as a browser shows it: headless Chromium (Debian's, which
 * scripts/test installs) takes a screenshot of the admin listener's page, and the template's
 * rendering is in it.
 */
class TemplatePreviewIT {
    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void chromiumShowsTheRenderingOnThePreviewPage() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(chromium), "Chromium is installed by scripts/test");
        ImgedgeServer server = harness.node(Map.of());
        String template = "{\"id\": \"shown\", \"tenant\": \"t\", \"width\": 240, \"height\": 120, \"background\": \"#ff00ff\","
                + " \"sample\": {\"title\": \"Hello\"}, \"layers\": [{\"type\": \"text\", \"text\": \"{title}\", \"box\": [10, 10, 220, 100]}]}";
        String admin = "http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort();
        HttpResponse<String> put = Harness.CLIENT.send(HttpRequest.newBuilder(URI.create(admin + "/templates/shown"))
                .PUT(HttpRequest.BodyPublishers.ofString(template)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());

        Path shot = harness.dir().resolve("preview.png");
        Path profile = Files.createDirectories(harness.dir().resolve("chromium-profile"));
        Process browser = new ProcessBuilder(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=800,600", "--screenshot=" + shot, admin + "/templates/shown/preview"))
                .redirectErrorStream(true).redirectOutput(harness.dir().resolve("chromium.log").toFile()).start();
        assertTrue(browser.waitFor(90, TimeUnit.SECONDS), "Chromium took the screenshot in time");
        assertTrue(Files.size(shot) > 0, Files.readString(harness.dir().resolve("chromium.log")));
        BufferedImage page = TestImages.decode(Files.readAllBytes(shot));
        int magenta = 0;
        for (int y = 0; y < page.getHeight(); y++) {
            for (int x = 0; x < page.getWidth(); x++) {
                int rgb = page.getRGB(x, y);
                if ((rgb >> 16 & 255) > 230 && (rgb >> 8 & 255) < 30 && (rgb & 255) > 230) {
                    magenta++;
                }
            }
        }
        assertTrue(magenta > 240 * 120 / 2, "the magenta canvas is on the page: " + magenta + " pixels");
    }
}
