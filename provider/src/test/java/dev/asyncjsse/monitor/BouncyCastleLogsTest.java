package dev.asyncjsse.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that uses AsyncJSSE prints nothing of Bouncy Castle's logging by default, and prints it
 * again with the documented switch or a JUL configuration that names Bouncy Castle's loggers. Each
 * case is a fresh JVM with the JDK's default logging configuration (INFO and above on stderr).
 */
class BouncyCastleLogsTest {

    @TempDir
    Path dir;

    private String runProbe(String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BcLoggingProbe.class.getName()));
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe JVM did not finish");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("HANDSHAKE TLSv1.3"), text);
        return text;
    }

    @Test
    void bouncyCastleIsQuietByDefault() throws Exception {
        String out = runProbe();
        assertFalse(out.contains("org.bouncycastle"), out);
        assertFalse(out.contains("disabledAlgorithms"), out);
    }

    @Test
    void theSwitchTurnsItBackOn() throws Exception {
        String out = runProbe("-D" + BouncyCastleLogs.PROPERTY + "=true");
        assertTrue(out.contains("org.bouncycastle.jsse.provider"), out);
    }

    @Test
    void aJulConfigurationForBouncyCastleIsRespected() throws Exception {
        Path config = dir.resolve("logging.properties");
        Files.writeString(config, "handlers = java.util.logging.ConsoleHandler\n.level = WARNING\n"
                + "java.util.logging.ConsoleHandler.level = ALL\norg.bouncycastle.level = INFO\n");
        String out = runProbe("-Djava.util.logging.config.file=" + config);
        assertTrue(out.contains("org.bouncycastle.jsse.provider"), out);
    }
}
