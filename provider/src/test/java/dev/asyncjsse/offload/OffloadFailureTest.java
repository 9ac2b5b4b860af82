package dev.asyncjsse.offload;

import static dev.asyncjsse.offload.OffloadTestSupport.PKI;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What happens when an offloaded operation fails, times out, misbehaves, or the engine is closed under it. */
class OffloadFailureTest {

    static final TestPki.Identity SERVER_ID = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");

    ManualOffloader offloader;
    SSLContext serverCtx;
    AsyncSSLEngine server;
    SSLEngine client;
    Pump pump;
    int threadsBefore;

    @BeforeEach
    void setUp() throws Exception {
        threadsBefore = liveNonPoolThreads();
        offloader = new ManualOffloader();
        serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, offloader);
    }

    void createPair(String protocol) throws Exception {
        server = (AsyncSSLEngine) OffloadTestSupport.server(serverCtx);
        client = OffloadTestSupport.client(OffloadTestSupport.sunContext(null, PKI.trustManagers()), protocol);
        pump = new Pump(client, server);
    }

    @AfterEach
    void noThreadLeftBehind() throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (JobScheduler.shared().activeJobs() > 0 && System.currentTimeMillis() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertEquals(0, JobScheduler.shared().activeJobs(), "handshake jobs still running");
        while (liveNonPoolThreads() > threadsBefore && System.currentTimeMillis() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertTrue(liveNonPoolThreads() <= threadsBefore, "threads left behind: " + liveNonPoolThreads() + " > " + threadsBefore);
    }

    /** Live threads other than idle pooled job threads (kept alive a few seconds for reuse) and JDK timers. */
    static int liveNonPoolThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (t.isAlive() && !name.startsWith("asyncjsse-job-") && !name.startsWith("CompletableFutureDelayScheduler")
                    && !name.startsWith("ForkJoinPool") && !name.startsWith("surefire") && !name.startsWith("process reaper")) {
                n++;
            }
        }
        return n;
    }

    private ManualOffloader.Request parkServer() throws Exception {
        ManualOffloadTest.driveToOffloadRequest(pump, server, offloader);
        ManualOffloader.Request request = offloader.poll();
        assertNotNull(request);
        assertTrue(server.isOffloadPending());
        return request;
    }

    private void awaitCallback() throws InterruptedException {
        assertTrue(pump.callbacks.tryAcquire(10, TimeUnit.SECONDS), "no callback");
    }

    /** The next server call throws the handshake failure; then wrap produces an alert the client rejects. */
    private SSLHandshakeException assertHandshakeFailsWithAlert(String expectedInMessage) throws Exception {
        SSLHandshakeException failure = assertThrows(SSLHandshakeException.class,
                () -> server.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 16)));
        assertTrue(failure.getMessage().contains(expectedInMessage),
                "message '" + failure.getMessage() + "' should contain '" + expectedInMessage + "'");
        assertEquals(AsyncStatus.ERR, server.getAsyncStatus());
        assertEquals(HandshakeStatus.NEED_WRAP, server.getHandshakeStatus(), "the alert is still to be sent");
        ByteBuffer alert = wrapUntilClosed(server);
        SSLException atClient = assertThrows(SSLException.class, () -> feed(client, alert));
        assertTrue(atClient.getMessage().toLowerCase().contains("alert"), atClient.getMessage());
        assertTrue(server.isOutboundDone());
        return failure;
    }

    /** Wraps until the engine's outbound side is done: the rest of a flight, then the alert. */
    static ByteBuffer wrapUntilClosed(SSLEngine engine) throws SSLException {
        ByteBuffer out = ByteBuffer.allocate(1 << 17);
        for (int i = 0; i < 8 && !engine.isOutboundDone(); i++) {
            SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), out);
            if (r.getStatus() == Status.CLOSED && r.bytesProduced() == 0) {
                break;
            }
        }
        assertTrue(engine.isOutboundDone(), "outbound not done after wrapping");
        assertTrue(out.position() > 0, "nothing produced");
        out.flip();
        return out;
    }

    /** Feeds {@code data} to {@code engine}, running tasks and wraps as SunJSSE asks, until it fails or all is used. */
    static void feed(SSLEngine engine, ByteBuffer data) throws SSLException {
        ByteBuffer app = ByteBuffer.allocate(1 << 17);
        ByteBuffer sink = ByteBuffer.allocate(1 << 17);
        for (int i = 0; i < 32; i++) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                Runnable t;
                while ((t = engine.getDelegatedTask()) != null) {
                    t.run();
                }
                continue;
            }
            if (hs == HandshakeStatus.NEED_WRAP) {
                engine.wrap(ByteBuffer.allocate(0), sink);
                continue;
            }
            if (!data.hasRemaining()) {
                return;
            }
            SSLEngineResult r = engine.unwrap(data, app);
            if (r.getStatus() == Status.CLOSED) {
                throw new SSLException("closed by the peer: " + r);
            }
        }
    }

    @Test
    void stageFails() throws Exception {
        createPair("TLSv1.3");
        ManualOffloader.Request request = parkServer();
        request.fail(new IOException("HSM slot 3 unavailable"));
        awaitCallback();
        assertFalse(server.isOffloadPending());
        assertHandshakeFailsWithAlert("HSM slot 3 unavailable");
    }

    @Test
    void stageFailsTls12() throws Exception {
        createPair("TLSv1.2");
        ManualOffloader.Request request = parkServer();
        request.fail(new IOException("HSM slot 4 unavailable"));
        awaitCallback();
        assertHandshakeFailsWithAlert("HSM slot 4 unavailable");
    }

    @Test
    void stageTimesOut() throws Exception {
        AsyncJsse.setOffloadTimeout(serverCtx, Duration.ofMillis(300));
        createPair("TLSv1.3");
        ManualOffloader.Request request = parkServer();
        long t0 = System.nanoTime();
        awaitCallback();
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(waited >= 200, "callback after " + waited + " ms, before the timeout");
        assertTrue(request.stage.isCancelled(), "the timed-out stage is cancelled");
        assertHandshakeFailsWithAlert("timed out");
    }

    @Test
    void signThrows() throws Exception {
        offloader.throwOnSign = new IllegalStateException("key service refused the request");
        createPair("TLSv1.3");
        // The operation fails at once; the step may finish inside the wait budget or after it.
        SSLHandshakeException failure = null;
        try {
            pump.complete(10_000);
        } catch (SSLHandshakeException e) {
            failure = e;
        }
        assertNotNull(failure, "the handshake should fail");
        assertTrue(failure.getMessage().contains("key service refused the request"), failure.getMessage());
        assertEquals(AsyncStatus.ERR, server.getAsyncStatus());
        assertEquals(HandshakeStatus.NEED_WRAP, server.getHandshakeStatus());
        ByteBuffer alert = wrapUntilClosed(server);
        SSLException atClient = assertThrows(SSLException.class, () -> feed(client, alert));
        assertTrue(atClient.getMessage().toLowerCase().contains("alert"), atClient.getMessage());
    }

    @Test
    void completesTwice() throws Exception {
        createPair("TLSv1.3");
        ManualOffloader.Request request = parkServer();
        assertTrue(request.complete());
        assertFalse(request.stage.completeExceptionally(new IOException("second completion")));
        awaitCallback();
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        assertEquals(pump.pendingResults.size(), pump.callbackCount.get());
    }

    /** A foreign CompletionStage that reports its result twice (a broken key-service client). */
    @Test
    void foreignStageReportsTwice() throws Exception {
        KeyOffloader twice = new KeyOffloader() {
            @Override
            public CompletionStage<byte[]> sign(PrivateKey key, String alg, AlgorithmParameterSpec params, byte[] message) {
                byte[] sig;
                try {
                    sig = dev.asyncjsse.offload.KeyOperations.sign(key, alg, params, message);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return new DoubleReportingStage(sig);
            }

            @Override
            public CompletionStage<byte[]> decrypt(PrivateKey key, String transformation, byte[] ciphertext) {
                throw new UnsupportedOperationException();
            }
        };
        serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, twice);
        createPair("TLSv1.3");
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        assertEquals(pump.pendingResults.size(), pump.callbackCount.get(), "one callback per pending episode");
    }

    @Test
    void stageAlreadyCompleteWhenReturned() throws Exception {
        KeyOffloader sync = new KeyOffloader() {
            @Override
            public CompletionStage<byte[]> sign(PrivateKey key, String alg, AlgorithmParameterSpec params, byte[] message) {
                try {
                    return CompletableFuture.completedFuture(KeyOperations.sign(key, alg, params, message));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public CompletionStage<byte[]> decrypt(PrivateKey key, String transformation, byte[] ciphertext) {
                throw new UnsupportedOperationException();
            }
        };
        serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, sync);
        createPair("TLSv1.3");
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        assertEquals(pump.pendingResults.size(), pump.callbackCount.get());
    }

    /** The application thread that drives the engine completes the stage itself. */
    @Test
    void completedOnTheCallerThread() throws Exception {
        createPair("TLSv1.3");
        ManualOffloader.Request request = parkServer();
        Thread caller = Thread.currentThread();
        AtomicInteger onCaller = new AtomicInteger();
        server.setOffloadCallback((e, arg) -> {
            if (Thread.currentThread() == caller) {
                onCaller.incrementAndGet();
            }
            pump.callbackCount.incrementAndGet();
            pump.callbacks.release();
        }, null);
        assertTrue(request.complete());
        awaitCallback();
        assertEquals(0, onCaller.get(), "callback ran re-entrantly on the completing thread");
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
    }

    @Test
    void callbackThrows() throws Exception {
        createPair("TLSv1.3");
        AtomicInteger calls = new AtomicInteger();
        server.setOffloadCallback((e, arg) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("buggy callback");
        }, null);
        ManualOffloader.Request request = parkServer();
        assertTrue(request.complete());
        long deadline = System.currentTimeMillis() + 10_000;
        while (server.isOffloadPending() && System.currentTimeMillis() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertFalse(server.isOffloadPending());
        while (calls.get() == 0 && System.currentTimeMillis() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertEquals(1, calls.get());
        // connection unaffected
        assertEquals(HandshakeStatus.NEED_WRAP, server.getHandshakeStatus());
        pump.unaware = true;
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        byte[] hello = "still fine".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, pump.send(true, hello));
        assertArrayEquals(hello, pump.send(false, hello));
    }

    @Test
    void closeOutboundWhilePending() throws Exception {
        createPair("TLSv1.3");
        ManualOffloader.Request request = parkServer();
        int callbacksBefore = pump.callbackCount.get();
        server.closeOutbound();
        assertTrue(request.stage.isCancelled(), "closing cancels the stage");
        assertFalse(server.isOffloadPending());
        Thread.sleep(100);
        assertEquals(callbacksBefore, pump.callbackCount.get(), "no callback after close");
        assertEquals(HandshakeStatus.NEED_WRAP, server.getHandshakeStatus());
        ByteBuffer out = wrapUntilClosed(server);
        // the client learns that the server went away
        assertThrows(SSLException.class, () -> feed(client, out));
        // stage completions after close change nothing
        request.stage.complete(new byte[64]);
        Thread.sleep(50);
        assertEquals(callbacksBefore, pump.callbackCount.get(), "no callback after close");
    }

    @Test
    void closeInboundWhilePending() throws Exception {
        createPair("TLSv1.3");
        ManualOffloader.Request request = parkServer();
        int callbacksBefore = pump.callbackCount.get();
        try {
            server.closeInbound();
        } catch (SSLException expected) {
            // closing inbound without the peer's close_notify is a truncation, like SunJSSE reports
        }
        assertTrue(request.stage.isCancelled(), "closing cancels the stage");
        assertTrue(server.isInboundDone());
        Thread.sleep(100);
        assertEquals(callbacksBefore, pump.callbackCount.get(), "no callback after close");
        ByteBuffer out = wrapUntilClosed(server);
        assertThrows(SSLException.class, () -> feed(client, out));
    }

    /**
     * Job capacity exhausted: nothing is consumed, EAGAIN, and the callback fires when a retry can
     * succeed. The BCJSSE path only: the native engine runs no handshake job for the JDK's key managers.
     */
    @Test
    void capacityExhausted() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(OffloadSettings.nativeTls13(),
                "the native TLS 1.3 engine needs no job capacity for the JDK's key managers");
        OffloadTestSupport.setScheduler(serverCtx, JobScheduler.create(1, true, 1000));
        createPair("TLSv1.3");
        ManualOffloader.Request first = parkServer();

        AsyncSSLEngine second = (AsyncSSLEngine) OffloadTestSupport.server(serverCtx);
        SSLEngine secondClient = OffloadTestSupport.client(OffloadTestSupport.sunContext(null, PKI.trustManagers()), "TLSv1.3");
        Pump secondPump = new Pump(secondClient, second);
        secondClient.beginHandshake();
        ByteBuffer hello = ByteBuffer.allocate(1 << 16);
        secondClient.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        int helloLength = hello.remaining();
        second.beginHandshake();
        SSLEngineResult r = second.unwrap(hello, ByteBuffer.allocate(1 << 16));
        assertTrue(AsyncSSLEngine.isOffloadPending(r), r.toString());
        assertEquals(0, r.bytesConsumed(), "nothing consumed under EAGAIN");
        assertEquals(0, hello.position());
        assertEquals(AsyncStatus.EAGAIN, second.getAsyncStatus());
        assertTrue(second.isOffloadPending());
        assertEquals(HandshakeStatus.NEED_TASK, second.getHandshakeStatus());
        SSLEngineResult again = second.unwrap(hello, ByteBuffer.allocate(1 << 16));
        assertTrue(AsyncSSLEngine.isOffloadPending(again));
        assertEquals(0, again.bytesConsumed());
        Thread.sleep(50);
        assertEquals(0, secondPump.callbackCount.get(), "no wake-up while capacity is exhausted");

        assertTrue(first.complete());
        assertTrue(secondPump.callbacks.tryAcquire(10, TimeUnit.SECONDS), "callback when capacity returns");
        assertFalse(second.isOffloadPending());
        // retry: now the step starts (and parks on the key operation)
        SSLEngineResult retry = second.unwrap(hello, ByteBuffer.allocate(1 << 16));
        assertEquals(helloLength, retry.bytesConsumed(), retry.toString());
        assertEquals(AsyncStatus.OK, second.getAsyncStatus());
        ManualOffloader.Request secondOp = null;
        long deadline = System.currentTimeMillis() + 10_000;
        while (secondOp == null && System.currentTimeMillis() < deadline) {
            secondOp = offloader.next(10);
            if (secondOp == null && !pump.bothDone()) {
                awaitIfParked(pump);
            }
        }
        assertNotNull(secondOp);
        assertTrue(secondOp.complete());
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        // hand the rest of the second handshake to its pump
        secondPump.c2s.clear();
        secondPump.complete(10_000);
        assertEquals(1, secondPump.serverFinished);
    }

    private static void awaitIfParked(Pump pump) throws Exception {
        SSLEngine parked = pump.run();
        if (parked != null) {
            pump.callbacks.tryAcquire(20, TimeUnit.MILLISECONDS);
        }
    }

    /** A CompletionStage that is not a CompletableFuture and calls its completion actions twice. */
    static final class DoubleReportingStage extends CompletableFuture<byte[]> {
        private final byte[] value;

        DoubleReportingStage(byte[] value) {
            this.value = value;
        }

        @Override
        public CompletableFuture<byte[]> toCompletableFuture() {
            throw new UnsupportedOperationException("not a CompletableFuture");
        }

        @Override
        public CompletableFuture<byte[]> whenComplete(java.util.function.BiConsumer<? super byte[], ? super Throwable> action) {
            new Thread(() -> {
                action.accept(value, null);
                action.accept(value, null);
                action.accept(null, new IOException("late failure after success"));
            }, "test-double-reporter").start();
            return null;
        }
    }
}
