package dev.asyncjsse.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class SystemToolsTest {

    @TempDir
    Path dir;

    private Path fakeTool(String name) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path tool = bin.resolve(name);
        Files.writeString(tool, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tool;
    }

    @Test
    void findsACommandOnPath() throws IOException {
        Path tool = fakeTool("probe-tool");
        String path = dir.resolve("empty") + ":" + tool.getParent();
        assertEquals(tool.toString(), SystemTools.command("probe-tool", "probe", Map.of("PATH", path)));
    }

    @Test
    void aMissingCommandSkipsNamingThePackage() {
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> SystemTools.command("probe-tool", "probe-package", Map.of("PATH", dir.toString())));
        assertTrue(skipped.getMessage().contains("'probe-tool' is not on PATH"), skipped.getMessage());
        assertTrue(skipped.getMessage().contains("Debian package 'probe-package'"), skipped.getMessage());
    }

    @Test
    void aMissingCommandFailsOnCi() {
        AssertionError failed = assertThrows(AssertionError.class,
                () -> SystemTools.command("probe-tool", "probe-package", Map.of("PATH", dir.toString(), "CI", "true")));
        assertTrue(failed.getMessage().contains("CI=true"), failed.getMessage());
        assertTrue(failed.getMessage().contains("'probe-package'"), failed.getMessage());
    }

    @Test
    void ciMeansTrueOnly() {
        assertThrows(TestAbortedException.class,
                () -> SystemTools.command("probe-tool", "p", Map.of("PATH", dir.toString(), "CI", "false")));
        assertThrows(AssertionError.class,
                () -> SystemTools.command("probe-tool", "p", Map.of("PATH", dir.toString(), "CI", "TRUE")));
    }

    @Test
    void aMissingLibrarySkipsOrFails() throws IOException {
        Path present = Files.writeString(dir.resolve("libpresent.so"), "");
        List<String> candidates = List.of(dir.resolve("libabsent.so").toString(), present.toString());
        assertEquals(present.toString(), SystemTools.library("a module", "pkg", candidates, Map.of()));
        List<String> absent = List.of(dir.resolve("libabsent.so").toString());
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> SystemTools.library("a module", "pkg", absent, Map.of()));
        assertTrue(skipped.getMessage().contains("a module is not installed"), skipped.getMessage());
        assertThrows(AssertionError.class, () -> SystemTools.library("a module", "pkg", absent, Map.of("CI", "true")));
    }

    @Test
    void aSkipNamesEveryMissingPackage() throws IOException {
        Path tool = fakeTool("probe-tool");
        Map<String, String> path = Map.of("PATH", tool.getParent().toString());
        List<String> absentLibrary = List.of(dir.resolve("libabsent.so").toString());
        List<SystemTools.Need> needs = List.of(
                SystemTools.commandNeed("probe-tool", "present-package", path),
                SystemTools.commandNeed("other-tool", "first-package", path),
                SystemTools.libraryNeed("a module", "second-package", absentLibrary),
                SystemTools.commandNeed("third-tool", "first-package", path));
        TestAbortedException skipped = assertThrows(TestAbortedException.class, () -> SystemTools.requireAll(needs, Map.of()));
        String message = skipped.getMessage();
        assertTrue(message.startsWith("the command 'other-tool' is not on PATH; a module is not installed (looked for ["), message);
        assertTrue(message.contains("install the Debian package 'first-package', the Debian package 'second-package' to run it"), message);
        assertFalse(message.contains("present-package"), message);

        AssertionError failed = assertThrows(AssertionError.class, () -> SystemTools.requireAll(needs, Map.of("CI", "true")));
        assertTrue(failed.getMessage().contains("Debian package 'first-package', the Debian package 'second-package'"), failed.getMessage());

        SystemTools.requireAll(List.of(SystemTools.commandNeed("probe-tool", "present-package", path)), Map.of());
    }

    /**
     * The real thing: a JUnit run in a child JVM whose PATH lacks the tool reports the test as skipped
     * (aborted) without CI, and as failed with CI=true; with the tool on PATH the test passes.
     */
    @Test
    void aChildRunWithoutTheToolSkipsAndWithCiFails() throws Exception {
        Path emptyBin = Files.createDirectories(dir.resolve("no-tools"));
        String skipped = runProbe(emptyBin.toString(), null);
        assertTrue(skipped.startsWith("aborted=1 failed=0 succeeded=0"), skipped);
        assertTrue(skipped.contains("Debian package 'asyncjsse-probe-package'"), skipped);

        String failed = runProbe(emptyBin.toString(), "true");
        assertTrue(failed.startsWith("aborted=0 failed=1 succeeded=0"), failed);
        assertTrue(failed.contains("java.lang.AssertionError") && failed.contains("CI=true"), failed);

        Path tool = fakeTool(ToolProbeLauncher.TOOL);
        String passed = runProbe(tool.getParent().toString(), "true");
        assertTrue(passed.startsWith("aborted=0 failed=0 succeeded=1"), passed);
    }

    private static String runProbe(String path, String ci) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ToolProbeLauncher.class.getName()).redirectErrorStream(true);
        pb.environment().put("PATH", path);
        pb.environment().remove(SystemTools.CI_VARIABLE);
        if (ci != null) {
            pb.environment().put(SystemTools.CI_VARIABLE, ci);
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }
}
