package dev.asyncjsse.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.robustness.FuzzDriver.Outcome;
import dev.asyncjsse.robustness.FuzzDriver.Role;
import dev.asyncjsse.robustness.FuzzDriver.Scenario;
import dev.asyncjsse.testkit.PeerPorts;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for engine bugs the robustness tests found: a loop that drains delegated tasks
 * never ended, FINISHED went missing when the handshake's last step ran in a job, and a capacity wait
 * was lost when another engine took the capacity that freed up.
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
        SSLEngine c = Fixtures.sunClient().createSSLEngine("localhost", PeerPorts.next());
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

    /**
     * Bug 3 (open): a lost wake-up in CAPACITY_WAIT. B parks in EAGAIN behind A; A finishes, B's capacity
     * callback fires, but C takes the freed capacity before B retries. B's retry returns the pending
     * result again without registering a new capacity listener, while {@code capacityReady} is already
     * complete: {@code isOffloadPending()} is false, {@code getHandshakeStatus()} says NEED_UNWRAP, every
     * unwrap returns pending, and no callback ever comes, even after C is done. A selector loop never
     * touches B again: the connection hangs.
     */
    @Test
    void capacityWaitIsNotLostWhenAnotherEngineTakesTheCapacity() throws Exception {
        java.util.concurrent.Executor slow = r -> Fixtures.OFFLOAD_POOL.execute(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.run();
        });
        dev.asyncjsse.KeyOffloader one = dev.asyncjsse.KeyOffloaders.executor(slow, 1);
        SSLContext server = Fixtures.asyncServer(one, Duration.ofSeconds(5));
        SSLContext sun = Fixtures.sunClient();
        AsyncSSLEngine a = serverEngine(server);
        AsyncSSLEngine b = serverEngine(server);
        AsyncSSLEngine c = serverEngine(server);
        java.util.concurrent.Semaphore bCallbacks = new java.util.concurrent.Semaphore(0);
        b.setOffloadCallback((engine, arg) -> bCallbacks.release(), null);

        ByteBuffer app = ByteBuffer.allocate(1 << 16);
        assertTrue(AsyncSSLEngine.isOffloadPending(a.unwrap(hello(sun), app)), "A parks on its 200 ms signature");
        awaitSaturated(one);
        ByteBuffer helloB = hello(sun);
        SSLEngineResult rb = b.unwrap(helloB, app);
        assertTrue(AsyncSSLEngine.isOffloadPending(rb) && b.getAsyncStatus() == dev.asyncjsse.AsyncStatus.EAGAIN,
                "B waits for capacity: " + rb + " " + b.getAsyncStatus());
        assertTrue(bCallbacks.tryAcquire(2, java.util.concurrent.TimeUnit.SECONDS), "B is told capacity is back");
        // C arrives first and takes the capacity
        assertTrue(AsyncSSLEngine.isOffloadPending(c.unwrap(hello(sun), app)), "C parks on its signature");
        awaitSaturated(one);
        SSLEngineResult retry = b.unwrap(helloB, app);
        // B must now either proceed or wait with a wake-up to come
        if (AsyncSSLEngine.isOffloadPending(retry) && retry.bytesConsumed() == 0) {
            assertTrue(bCallbacks.tryAcquire(2, java.util.concurrent.TimeUnit.SECONDS),
                    "B waits for capacity again but no wake-up ever comes (isOffloadPending=" + b.isOffloadPending()
                            + ", handshake status " + b.getHandshakeStatus() + ", async status " + b.getAsyncStatus() + ")");
        }
    }

    private static void awaitSaturated(dev.asyncjsse.KeyOffloader offloader) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!offloader.isSaturated() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertTrue(offloader.isSaturated(), "the key operation never started");
    }

    private static AsyncSSLEngine serverEngine(SSLContext ctx) {
        AsyncSSLEngine e = (AsyncSSLEngine) ctx.createSSLEngine();
        e.setUseClientMode(false);
        return e;
    }

    private static ByteBuffer hello(SSLContext sun) throws Exception {
        SSLEngine c = sun.createSSLEngine("localhost", PeerPorts.next());
        c.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(c.getSession().getPacketBufferSize());
        c.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return out;
    }
}
