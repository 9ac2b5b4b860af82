package dev.asyncjsse.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs {@link ToolProbeCase} through the JUnit Platform, the way the build runs every test, and prints
 * one line per outcome: {@code aborted=N failed=N succeeded=N}, then the reason of the first
 * non-success.
 */
final class ToolProbeLauncher {

    /** The command {@link ToolProbeCase} asks for. */
    static final String TOOL = "asyncjsse-probe-tool";

    private ToolProbeLauncher() {}

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(ToolProbeCase.class)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        StringBuilder reasons = new StringBuilder();
        launcher.execute(request, summary, new org.junit.platform.launcher.TestExecutionListener() {
            @Override
            public void executionFinished(org.junit.platform.launcher.TestIdentifier id,
                                          org.junit.platform.engine.TestExecutionResult result) {
                result.getThrowable().ifPresent(t -> reasons.append(t.getClass().getName()).append(": ")
                        .append(t.getMessage()).append('\n'));
            }
        });
        TestExecutionSummary s = summary.getSummary();
        System.out.println("aborted=" + s.getTestsAbortedCount() + " failed=" + s.getTestsFailedCount()
                + " succeeded=" + s.getTestsSucceededCount());
        System.out.print(reasons);
    }
}
