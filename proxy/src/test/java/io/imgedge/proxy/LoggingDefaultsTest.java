package io.imgedge.proxy;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jar carries its logging defaults: a plain {@code java -jar imgedge.jar} logs at INFO, not Logback's DEBUG default. */
class LoggingDefaultsTest {
    @Test
    void theJarsDefaultLoggingIsInfo() throws Exception {
        URL config = ImgedgeServer.class.getClassLoader().getResource("logback.xml");
        assertNotNull(config, "logback.xml is packaged with the classes");
        assertTrue(config.getPath().contains("/classes/") || config.getPath().contains(".jar!"), config.toString());
        try (InputStream in = config.openStream()) {
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("<root level=\"INFO\">"), xml);
        }
    }
}
