package dev.asyncjsse.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.robustness.FuzzDriver.Outcome;
import dev.asyncjsse.robustness.FuzzDriver.Role;
import dev.asyncjsse.robustness.FuzzDriver.Scenario;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for engine bugs the robustness tests found (described in
 * {@code /work/shared-notes/engine-bugs.md}; both fixed in the engine: 4d82117, 5ca70d6 and the
 * getDelegatedTask change).
 */
class FoundBugsRegressionTest {

    /**
     * Bug 1: with an offloader, once the parked step has finished, {@code getDelegatedTask()} keeps
     * returning a (no-op) task until the next wrap/unwrap, so the classic loop
     * {@code while ((t = e.getDelegatedTask()) != null) t.run();} of a loop that knows nothing of
     * offload never ends (EnginePair, Netty, Jetty all use that loop).
     */
    @Test
    void delegatedTaskLoopEnds() throws Exception {
        SSLContext server = Fixtures.asyncServer(Fixtures.latencyOffloader(20), Duration.ofSeconds(2));
        SSLEngine s = server.createSSLEngine();
        s.setUseClientMode(false);
        SSLEngine c = Fixtures.sunClient().createSSLEngine("localhost", 443);
        c.setUseClientMode(true);
        ByteBuffer hello = ByteBuffer.allocate(c.getSession().getPacketBufferSize());
        c.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        SSLEngineResult r = s.unwrap(hello, ByteBuffer.allocate(s.getSession().getApplicationBufferSize()));
        assertTrue(AsyncSSLEngine.isOffloadPending(r), "expected the ClientHello to park on the 20 ms key operation: " + r);
        int tasks = 0;
        Runnable task;
        while ((task = s.getDelegatedTask()) != null && tasks < 1000) {
            task.run();
            tasks++;
        }
        assertTrue(tasks <= 2, "getDelegatedTask() returned " + tasks + " tasks and never null");
        assertNull(s.getDelegatedTask());
    }

    /**
     * Bug 2: when the step that completes the handshake runs in a job (an AsyncJSSE TLS 1.2 client with
     * an offloader receiving the server's Finished), no call ever reports {@code HandshakeStatus.FINISHED}:
     * {@code acceptStepResult()} moves the state to ESTABLISHED before {@code translate()}, which then
     * rewrites FINISHED into the inner engine's NOT_HANDSHAKING.
     */
    @Test
    void finishedReportedWhenTheLastStepRunsInAJob() {
        Scenario sc = new Scenario(Role.CLIENT, "TLSv1.2", true);
        // A generous wait budget makes the step settle inside the unwrap (runStep's path) every time;
        // with the default 1 ms budget the outcome depends on timing.
        String old = System.getProperty("dev.asyncjsse.waitBudget");
        SSLContext target;
        try {
            System.setProperty("dev.asyncjsse.waitBudget", "2000000"); // microseconds
            target = Fixtures.asyncClient(dev.asyncjsse.KeyOffloaders.executor(Fixtures.OFFLOAD_POOL));
        } finally {
            if (old == null) {
                System.clearProperty("dev.asyncjsse.waitBudget");
            } else {
                System.setProperty("dev.asyncjsse.waitBudget", old);
            }
        }
        Outcome o = new FuzzDriver(sc, target, Fixtures.sunServer(), null, null, 0).run();
        assertNull(o.targetError);
        assertTrue(o.appDataReceived, "the handshake did complete: application data arrived");
        assertEquals(true, o.targetHandshakeDone, "but no wrap/unwrap result said FINISHED");
    }
}
