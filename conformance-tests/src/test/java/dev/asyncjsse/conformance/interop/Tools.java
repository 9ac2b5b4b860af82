package dev.asyncjsse.conformance.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncjsse.testkit.SystemTools;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The command-line peers the interop tests run, and what happens when one is missing: the test is
 * skipped with a message naming the Debian package that provides it, except under CI
 * ({@code CI=true}), where a missing tool fails the run, because CI installs every tool
 * ({@code .ci/run}) and a silent skip there would hide lost coverage. Thread-safe.
 */
final class Tools {

    private static final Map<String, Boolean> PRESENT = new ConcurrentHashMap<>();
    private static final Map<List<String>, String> OUTPUTS = new ConcurrentHashMap<>();

    private Tools() {}

    /**
     * Skips the calling test (or fails it under CI) unless {@code command} is installed and runs.
     * Finding it is the test kit's {@link SystemTools}, shared by every module; running it once with
     * {@code versionArg} also catches a broken install.
     *
     * @param command the executable, e.g. {@code gnutls-cli}
     * @param versionArg an argument that makes it print its version and exit 0
     * @param debianPackage the package that installs it
     */
    static void require(String command, String versionArg, String debianPackage) {
        String path = SystemTools.command(command, debianPackage);
        if (!PRESENT.computeIfAbsent(command, c -> runs(List.of(path, versionArg)))) {
            fail("'" + command + "' is installed at " + path + " but '" + command + " " + versionArg
                    + "' fails: reinstall the Debian package " + debianPackage);
        }
    }

    /**
     * Whether {@code command} (a listing of algorithms, say) prints {@code text}, ignoring case; run
     * once per JVM. False when the command cannot run.
     */
    static boolean prints(List<String> command, String text) {
        String out = OUTPUTS.computeIfAbsent(command, c -> {
            try (PeerProcess p = PeerProcess.start(c)) {
                p.awaitExit();
                return p.output();
            } catch (IOException e) {
                return "";
            }
        });
        return out.toUpperCase(Locale.ROOT).contains(text.toUpperCase(Locale.ROOT));
    }

    private static boolean runs(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
