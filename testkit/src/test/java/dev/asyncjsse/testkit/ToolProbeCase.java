package dev.asyncjsse.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Not run by the build (its name matches no surefire pattern): {@link ToolProbeLauncher} runs it in a
 * child JVM whose {@code PATH} and {@code CI} the calling test chose.
 */
class ToolProbeCase {

    @Test
    void needsTheProbedTool() {
        String path = SystemTools.command(ToolProbeLauncher.TOOL, "asyncjsse-probe-package");
        assertTrue(path.endsWith("/" + ToolProbeLauncher.TOOL), path);
    }
}
