package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.OffloadPoint;
import dev.asyncjsse.monitor.ContextMonitor;
import dev.asyncjsse.offload.GuardedKeyOffloader;
import dev.asyncjsse.offload.KeyOperationTimeoutException;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.ForwardingKeyManager;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/**
 * Key operations as a state: the native server returns offload pending at once, fires the callback
 * when the stage completes, and continues on the next call; no thread waits for the operation.
 */
class NativeOffloadTest {

    static final TestPki.Identity ID = NativeHandshakeTest.id(KeyKind.EC_P256);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final ControlledOffloader offloader = new ControlledOffloader();
    private final CountDownLatch callback = new CountDownLatch(1);
    private final AtomicReference<Object> callbackArg = new AtomicReference<>();

    /** The offloader as a context hands it to its engines: guarded, reporting to a monitor. */
    private static KeyOffloader guarded(KeyOffloader offloader) {
        return GuardedKeyOffloader.guard(offloader, new ContextMonitor("TLS"));
    }

    private TestFront server(Consumer<dev.asyncjsse.tls13.NativeSetup.Builder> more) {
        return server(NativeHandshakeTest.serverParameters(), more);
    }

    private TestFront server(SSLParameters params, Consumer<dev.asyncjsse.tls13.NativeSetup.Builder> more) {
        TestFront s = new TestFront(NativeHandshakeTest.CONTEXT, params, b -> {
            b.keyManager(Peers.keyManager(ID)).offloader(guarded(offloader)).offloadTimeout(Duration.ofSeconds(5));
            more.accept(b);
        });
        s.setOffloadCallback((engine, arg) -> {
            assertSame(s, engine);
            callbackArg.set(arg);
            callback.countDown();
        }, "the arg");
        return s;
    }

    private static SSLEngine client() throws Throwable {
        return Peers.client(NativeHandshakeTest.clientContext(Peers.Client.SUNJSSE), Peers.Client.SUNJSSE, null, null, null);
    }

    private static ByteBuffer clientHello(SSLEngine client) throws SSLException {
        ByteBuffer wire = ByteBuffer.allocate(32768);
        client.wrap(EMPTY, wire);
        wire.flip();
        return wire;
    }

    private static void assertPending(SSLEngineResult r, TestFront server) {
        assertTrue(AsyncSSLEngine.isOffloadPending(r), r.toString());
        assertEquals(0, r.bytesProduced());
        assertEquals(HandshakeStatus.NEED_TASK, server.getHandshakeStatus());
        assertTrue(server.isOffloadPending());
    }

    @Test
    void pendingAtOnceThenCallbackThenTheNextWrapContinues() throws Throwable {
        TestFront server = server(b -> { });
        SSLEngine client = client();
        ByteBuffer hello = clientHello(client);
        int helloLength = hello.remaining();
        SSLEngineResult r = server.unwrap(hello, ByteBuffer.allocate(20000));
        assertPending(r, server);
        assertEquals(helloLength, r.bytesConsumed(), "the ClientHello was taken into the step");
        assertEquals(AsyncStatus.OK, server.getAsyncStatus());

        // while pending, calls consume and produce nothing
        ByteBuffer out = ByteBuffer.allocate(32768);
        assertPending(server.wrap(ByteBuffer.wrap(new byte[10]), out), server);
        assertEquals(0, out.position());
        assertPending(server.unwrap(ByteBuffer.wrap(new byte[] {22, 3, 3, 0, 1, 1}), ByteBuffer.allocate(100)), server);

        ControlledOffloader.Request request = offloader.only();
        assertEquals("SHA256withECDSA", request.algorithm);
        assertEquals(ID.key, request.key, "the offloader gets the application's real key");
        assertNull(request.params);
        String context = new String(request.message, 0, 97, StandardCharsets.US_ASCII);
        assertEquals(" ".repeat(64) + "TLS 1.3, server CertificateVerify", context);
        assertEquals(0, request.message[97]);
        assertEquals(1, callback.getCount(), "no callback before the operation completes");

        request.complete();
        assertTrue(callback.await(5, TimeUnit.SECONDS));
        assertEquals("the arg", callbackArg.get());
        assertFalse(server.isOffloadPending());
        assertEquals(1, server.callbacks.get());

        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        assertEquals(1, pair.serverFinished);
        assertEquals(1, server.callbacks.get(), "one callback per pause");
        byte[] data = "after offload".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(data, pair.send(true, data));
    }

    @Test
    void anOffloaderThatCompletesAtOnceCausesNoPause() throws Throwable {
        TestFront server = new TestFront(NativeHandshakeTest.CONTEXT, NativeHandshakeTest.serverParameters(),
                b -> b.keyManager(Peers.keyManager(ID)).offloader(guarded(KeyOffloaders.executor(Runnable::run))));
        SSLEngineResult r = server.unwrap(clientHello(client()), ByteBuffer.allocate(20000));
        assertFalse(AsyncSSLEngine.isOffloadPending(r));
        assertEquals(HandshakeStatus.NEED_WRAP, r.getHandshakeStatus());
    }

    @Test
    void aLoopThatKnowsNothingRunsTheWaitingTask() throws Throwable {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            TestFront server = new TestFront(NativeHandshakeTest.CONTEXT, NativeHandshakeTest.serverParameters(),
                    b -> b.keyManager(Peers.keyManager(ID)).offloader(guarded(
                            KeyOffloaders.withLatency(KeyOffloaders.executor(pool), Duration.ofMillis(20)))));
            EnginePair pair = new EnginePair(client(), server);
            pair.handshake();
            assertEquals(1, pair.serverFinished);
            assertNull(server.getDelegatedTask(), "no task once nothing is pending");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneDelegatedTaskPerPause() throws Throwable {
        TestFront server = server(b -> { });
        server.unwrap(clientHello(client()), ByteBuffer.allocate(20000));
        Runnable task = server.getDelegatedTask();
        assertTrue(task != null);
        assertNull(server.getDelegatedTask());
        Thread waiter = new Thread(task);
        waiter.start();
        offloader.only().complete();
        waiter.join(5000);
        assertFalse(waiter.isAlive(), "the task returns once the operation is done");
    }

    @Test
    void saturationIsEagainUntilTheOffloaderHasRoom() throws Throwable {
        offloader.saturated = true;
        TestFront server = server(b -> { });
        SSLEngine client = client();
        ByteBuffer hello = clientHello(client);
        SSLEngineResult r = server.unwrap(hello, ByteBuffer.allocate(20000));
        assertPending(r, server);
        assertEquals(0, r.bytesConsumed(), "a saturated offloader: the ClientHello is not taken");
        assertEquals(AsyncStatus.EAGAIN, server.getAsyncStatus());
        assertTrue(offloader.requests.isEmpty(), "nothing submitted to a saturated offloader");

        offloader.unsaturate();
        assertTrue(callback.await(5, TimeUnit.SECONDS));
        int length = hello.remaining();
        r = server.unwrap(hello, ByteBuffer.allocate(20000));
        assertPending(r, server);
        assertEquals(length, r.bytesConsumed());
        assertEquals(AsyncStatus.OK, server.getAsyncStatus());
        offloader.only().complete();
        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        // the signature was completed on this thread, so its wake-up comes from another one, maybe later
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.callbacks.get() < 2 && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertEquals(2, server.callbacks.get(), "one callback for the capacity, one for the signature");
    }

    @Test
    void anOperationThatOutlivesTheTimeoutFailsTheHandshake() throws Throwable {
        TestFront server = server(b -> b.offloadTimeout(Duration.ofMillis(200)));
        SSLEngine client = client();
        assertPending(server.unwrap(clientHello(client), ByteBuffer.allocate(20000)), server);
        assertTrue(callback.await(5, TimeUnit.SECONDS), "the timeout settles the wait and wakes the loop");
        ByteBuffer out = ByteBuffer.allocate(32768);
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> server.wrap(EMPTY, out));
        assertTrue(e.getMessage().contains("timed out: it did not complete within 200 ms"), e.getMessage());
        assertEquals(AsyncStatus.ERR, server.getAsyncStatus());
        assertTrue(offloader.only().stage.isCancelled(), "the late operation is cancelled");
        // join() would not do: from JDK 23 it wraps every cancellation in a new CancellationException
        Throwable outcome = offloader.only().stage.handle((value, failure) -> failure).join();
        assertInstanceOf(KeyOperationTimeoutException.class, outcome,
                "the offloader and its guard can tell a timeout from a close");
        assertAlertReaches(server, client, "internal_error");
    }

    @Test
    void aFailedOperationFailsTheHandshakeNamingTheCause() throws Throwable {
        TestFront server = server(b -> { });
        SSLEngine client = client();
        assertPending(server.unwrap(clientHello(client), ByteBuffer.allocate(20000)), server);
        offloader.only().stage.completeExceptionally(new IllegalStateException("HSM unplugged"));
        assertTrue(callback.await(5, TimeUnit.SECONDS));
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> server.wrap(EMPTY, ByteBuffer.allocate(32768)));
        assertTrue(e.getMessage().contains("HSM unplugged"), e.getMessage());
        assertEquals(AsyncStatus.ERR, server.getAsyncStatus());
        assertAlertReaches(server, client, "internal_error");
    }

    /** The alert the failed server queued reaches the client unprotected: none of the flight went out. */
    private static void assertAlertReaches(TestFront server, SSLEngine client, String alert) throws SSLException {
        ByteBuffer out = ByteBuffer.allocate(32768);
        SSLEngineResult r = server.wrap(EMPTY, out);
        assertEquals(SSLEngineResult.Status.CLOSED, r.getStatus());
        assertEquals(7, r.bytesProduced());
        assertTrue(server.isOutboundDone());
        out.flip();
        assertEquals(21, out.get(0));
        SSLException e = assertThrows(SSLException.class, () -> client.unwrap(out, ByteBuffer.allocate(20000)));
        assertTrue(e.getMessage().contains(alert.replace('_', ' ')) || e.getMessage().contains(alert), e.getMessage());
    }

    @Test
    void closingWhilePendingCancelsWithoutACallback() throws Throwable {
        TestFront server = server(b -> { });
        assertPending(server.unwrap(clientHello(client()), ByteBuffer.allocate(20000)), server);
        ControlledOffloader.Request request = offloader.only();
        server.closeOutbound();
        assertTrue(request.stage.isCancelled());
        assertFalse(server.isOffloadPending());
        assertEquals(0, server.callbacks.get());
        assertTrue(server.isInboundDone());
        ByteBuffer out = ByteBuffer.allocate(32768);
        SSLEngineResult r = server.wrap(EMPTY, out);
        assertEquals(SSLEngineResult.Status.CLOSED, r.getStatus());
        byte[] expected = {21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 1, 0};
        assertArrayEquals(expected, Arrays.copyOf(out.array(), out.position()), "user_canceled, then close_notify");
        assertTrue(server.isOutboundDone());
        assertEquals(0, server.callbacks.get(), "never a callback after close");
    }

    @Test
    void aKeyManagerThatAwaitsPausesTheHandshakeInAJob() throws Throwable {
        CompletableFuture<String> lookup = new CompletableFuture<>();
        AtomicReference<SSLEngine> seen = new AtomicReference<>();
        AtomicBoolean inJob = new AtomicBoolean();
        ForwardingKeyManager awaiting = new ForwardingKeyManager(TestPki.keyManagers(ID)[0]) {
            @Override
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
                seen.set(engine);
                inJob.set(OffloadPoint.inHandshakeJob());
                String prefix = OffloadPoint.await(lookup);
                return prefix.isEmpty() ? super.chooseEngineServerAlias(keyType, issuers, engine) : null;
            }
        };
        TestFront server = server(b -> b.keyManager(awaiting));
        SSLEngine client = client();
        assertPending(server.unwrap(clientHello(client), ByteBuffer.allocate(20000)), server);
        assertTrue(offloader.requests.isEmpty(), "no signature before the certificate is chosen");
        lookup.complete("");
        assertTrue(callback.await(5, TimeUnit.SECONDS));
        assertSame(server, seen.get(), "the key manager is handed the application's engine");
        assertTrue(inJob.get());
        assertPending(server.wrap(EMPTY, ByteBuffer.allocate(32768)), server);
        offloader.only().complete();
        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        assertEquals(1, pair.serverFinished);
    }

    @Test
    void aTrustManagerThatAwaitsPausesTheHandshakeInAJob() throws Throwable {
        CompletableFuture<Boolean> revocation = new CompletableFuture<>();
        AtomicBoolean inJob = new AtomicBoolean();
        X509ExtendedTrustManager pkix = (X509ExtendedTrustManager) NativeHandshakeTest.PKI.trustManagers()[0];
        RecordingTrustManager awaiting = new RecordingTrustManager(pkix) {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                inJob.set(OffloadPoint.inHandshakeJob());
                if (!OffloadPoint.await(revocation)) {
                    throw new CertificateException("revoked");
                }
                super.checkClientTrusted(chain, authType, engine);
            }
        };
        SSLParameters params = NativeHandshakeTest.serverParameters();
        params.setNeedClientAuth(true);
        TestFront server = server(params, b -> b.trustManager(awaiting)
                .offloader(guarded(KeyOffloaders.executor(Runnable::run))));
        TestPki.Identity clientId = NativeHandshakeTest.PKI.issue(KeyKind.EC_P256, "client");
        SSLEngine client = Peers.client(Peers.context(Peers.Client.SUNJSSE, TestPki.keyManagers(clientId),
                NativeHandshakeTest.PKI.trustManagers()), Peers.Client.SUNJSSE, null, null, null);
        EnginePair pair = new EnginePair(client, server);
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> revocation.complete(true));
        pair.handshake();
        assertSame(server, awaiting.engines.get(0));
        assertEquals(clientId.certificate(), server.getSession().getPeerCertificates()[0]);
        assertTrue(inJob.get(), "an application trust manager runs in a job when the context offloads");
    }
}
