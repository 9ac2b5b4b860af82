package dev.asyncjsse.offload;

import static dev.asyncjsse.offload.OffloadTestSupport.PKI;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.OffloadPoint;
import dev.asyncjsse.testkit.ForwardingKeyManager;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.security.PrivateKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.junit.jupiter.api.Test;

/** OffloadPoint from a key manager, configuration by system property, and offloader backpressure. */
class OffloadConfigTest {

    static final TestPki.Identity SERVER_ID = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");

    /** A key manager whose alias lookup is asynchronous (a certificate store behind a network call). */
    static final class AsyncAliasKeyManager extends ForwardingKeyManager {
        final CompletableFuture<String> lookup = new CompletableFuture<>();
        final AtomicReference<Thread> lookupThread = new AtomicReference<>();
        final AtomicReference<SSLEngine> engineSeen = new AtomicReference<>();

        AsyncAliasKeyManager(KeyManager km) {
            super(km);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            if (!keyType.startsWith("EC")) {
                return null;
            }
            lookupThread.set(Thread.currentThread());
            engineSeen.set(engine);
            assertTrue(OffloadPoint.inHandshakeJob(), "the lookup runs in a handshake job");
            String alias = OffloadPoint.await(lookup);
            return delegate.chooseEngineServerAlias(keyType, issuers, engine) != null ? alias : null;
        }
    }

    @Test
    void asyncAliasLookupPausesTheHandshake() throws Exception {
        AsyncAliasKeyManager km = new AsyncAliasKeyManager(TestPki.keyManagers(SERVER_ID)[0]);
        String alias = km.delegate.chooseEngineServerAlias("EC", null, null);
        KeyOffloader direct = KeyOffloaders.executor(Runnable::run);
        SSLContext serverCtx = OffloadTestSupport.asyncContext(new KeyManager[] {km}, null, direct);
        AsyncSSLEngine server = (AsyncSSLEngine) OffloadTestSupport.server(serverCtx);
        SSLEngine client = OffloadTestSupport.client(OffloadTestSupport.sunContext(null, PKI.trustManagers()), "TLSv1.3");
        Pump pump = new Pump(client, server);

        SSLEngine parked = pump.run();
        long deadline = System.currentTimeMillis() + 10_000;
        while (km.lookupThread.get() == null && System.currentTimeMillis() < deadline) {
            if (parked != null) {
                pump.callbacks.tryAcquire(5, TimeUnit.MILLISECONDS);
            }
            parked = pump.run();
        }
        assertEquals(server, parked, "the server parks on the alias lookup");
        assertTrue(server.isOffloadPending());
        assertEquals(HandshakeStatus.NEED_TASK, server.getHandshakeStatus());
        SSLEngineResult again = server.unwrap(ByteBuffer.wrap(new byte[] {22, 3, 3, 0, 0}), ByteBuffer.allocate(1 << 16));
        assertTrue(AsyncSSLEngine.isOffloadPending(again));
        assertEquals(0, again.bytesConsumed());
        assertEquals(server, km.engineSeen.get(), "the key manager sees the application's engine");
        assertNotEquals(Thread.currentThread(), km.lookupThread.get());
        int callbacks = pump.callbackCount.get();
        Thread.sleep(30);
        assertEquals(callbacks, pump.callbackCount.get());

        km.lookup.complete(alias);
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        assertEquals(1, pump.clientFinished);
        assertEquals(pump.pendingResults.size(), pump.callbackCount.get());
        assertEquals(SERVER_ID.certificate(), server.getSession().getLocalCertificates()[0]);
    }

    /**
     * BCJSSE's own key manager goes to the inner stack as BCJSSE's own (no import and re-validation
     * per handshake), and the key it chooses must still be signed with by the offloader only.
     */
    @Test
    void bcjsseOwnKeyManagerStillSignsThroughTheOffloader() throws Exception {
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX",
                new org.bouncycastle.jsse.provider.BouncyCastleJsseProvider());
        kmf.init(TestPki.keyStore(SERVER_ID), TestPki.PASSWORD);
        KeyOffloader inner = KeyOffloaders.executor(Runnable::run);
        java.util.concurrent.atomic.AtomicInteger signed = new java.util.concurrent.atomic.AtomicInteger();
        KeyOffloader counting = new KeyOffloader() {
            @Override
            public java.util.concurrent.CompletionStage<byte[]> sign(PrivateKey key, String alg,
                    java.security.spec.AlgorithmParameterSpec params, byte[] message) {
                signed.incrementAndGet();
                return inner.sign(key, alg, params, message);
            }

            @Override
            public java.util.concurrent.CompletionStage<byte[]> decrypt(PrivateKey key, String t, byte[] c) {
                return inner.decrypt(key, t, c);
            }
        };
        SSLContext serverCtx = OffloadTestSupport.asyncContext(kmf.getKeyManagers(), null, counting);
        SSLContext clientCtx = OffloadTestSupport.sunContext(null, PKI.trustManagers());
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            int before = signed.get();
            SSLEngine client = OffloadTestSupport.client(clientCtx, protocol);
            SSLEngine server = OffloadTestSupport.server(serverCtx);
            new dev.asyncjsse.testkit.EnginePair(client, server).handshake();
            assertEquals(protocol, client.getSession().getProtocol());
            assertEquals(SERVER_ID.certificate(), client.getSession().getPeerCertificates()[0]);
            assertEquals(before + 1, signed.get(), protocol + ": the server's one signature goes to the offloader");
        }
    }

    @Test
    void offloadConfiguredBySystemPropertyOnly() throws Exception {
        System.setProperty(OffloadSettings.OFFLOAD_PROPERTY, "executor:2");
        System.setProperty(OffloadSettings.LATENCY_PROPERTY, "30");
        SSLContext serverCtx;
        try {
            serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, null);
        } finally {
            System.clearProperty(OffloadSettings.OFFLOAD_PROPERTY);
            System.clearProperty(OffloadSettings.LATENCY_PROPERTY);
        }
        AsyncSSLEngine server = (AsyncSSLEngine) OffloadTestSupport.server(serverCtx);
        assertEquals(AsyncStatus.OK, server.getAsyncStatus());
        SSLEngine client = OffloadTestSupport.client(OffloadTestSupport.sunContext(null, PKI.trustManagers()), "TLSv1.3");
        Pump pump = new Pump(client, server);
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        assertTrue(pump.pendingResults.size() >= 1, "the signature went through the 30 ms offloader");
        assertEquals(pump.pendingResults.size(), pump.callbackCount.get());

        // a context created after the property is gone has no offload
        SSLContext plain = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, null);
        assertEquals(AsyncStatus.UNSUPPORTED, ((AsyncSSLEngine) plain.createSSLEngine()).getAsyncStatus());
    }

    /**
     * An offloader that is saturated when asked but frees up during registration (the default
     * {@code whenUnsaturated} runs the listener at once): the wake-up still comes on another thread,
     * never inside the caller's unwrap.
     */
    @Test
    void capacityBackDuringRegistrationWakesFromAnotherThread() throws Exception {
        KeyOffloader inner = KeyOffloaders.executor(Runnable::run);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        KeyOffloader flaky = new KeyOffloader() {
            @Override
            public java.util.concurrent.CompletionStage<byte[]> sign(PrivateKey key, String alg,
                    java.security.spec.AlgorithmParameterSpec params, byte[] message) {
                return inner.sign(key, alg, params, message);
            }

            @Override
            public java.util.concurrent.CompletionStage<byte[]> decrypt(PrivateKey key, String t, byte[] c) {
                return inner.decrypt(key, t, c);
            }

            @Override
            public boolean isSaturated() {
                return asked.getAndIncrement() == 0;
            }
        };
        SSLContext serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, flaky);
        AsyncSSLEngine server = (AsyncSSLEngine) OffloadTestSupport.server(serverCtx);
        SSLEngine client = OffloadTestSupport.client(OffloadTestSupport.sunContext(null, PKI.trustManagers()), "TLSv1.3");
        Pump pump = new Pump(client, server);
        Thread caller = Thread.currentThread();
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        if (!OffloadSettings.nativeTls13()) {
            // the BCJSSE path reports the EAGAIN it saw; the native engine finds the capacity back
            // before it has taken anything and simply goes on
            assertTrue(pump.pendingResults.size() >= 1, "the first step got EAGAIN");
        }
        synchronized (pump.callbackThreads) {
            assertFalse(pump.callbackThreads.contains(caller), "a callback ran on the caller's thread");
        }
    }

    /** The offloader's own queue is full: EAGAIN, nothing consumed, callback when it drains. */
    @Test
    void offloaderSaturated() throws Exception {
        ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
        KeyOffloader bounded = KeyOffloaders.executor(queued::add, 1);
        SSLContext serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, bounded);
        SSLContext clientCtx = OffloadTestSupport.sunContext(null, PKI.trustManagers());

        AsyncSSLEngine first = (AsyncSSLEngine) OffloadTestSupport.server(serverCtx);
        Pump firstPump = new Pump(OffloadTestSupport.client(clientCtx, "TLSv1.3"), first);
        long deadline = System.currentTimeMillis() + 10_000;
        while (queued.isEmpty() && System.currentTimeMillis() < deadline) {
            if (firstPump.run() != null) {
                firstPump.callbacks.tryAcquire(5, TimeUnit.MILLISECONDS);
            }
        }
        assertFalse(queued.isEmpty(), "the first key operation is queued");
        assertTrue(bounded.isSaturated());

        AsyncSSLEngine second = (AsyncSSLEngine) OffloadTestSupport.server(serverCtx);
        SSLEngine secondClient = OffloadTestSupport.client(clientCtx, "TLSv1.3");
        Pump secondPump = new Pump(secondClient, second);
        secondClient.beginHandshake();
        ByteBuffer hello = ByteBuffer.allocate(1 << 16);
        secondClient.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        second.beginHandshake();
        SSLEngineResult r = second.unwrap(hello, ByteBuffer.allocate(1 << 16));
        assertTrue(AsyncSSLEngine.isOffloadPending(r));
        assertEquals(0, r.bytesConsumed());
        assertEquals(AsyncStatus.EAGAIN, second.getAsyncStatus());
        assertEquals(0, secondPump.callbackCount.get());

        queued.poll().run();
        assertTrue(secondPump.callbacks.tryAcquire(10, TimeUnit.SECONDS), "callback when the offloader drains");
        assertFalse(second.isOffloadPending());
        secondPump.c2s.put(hello);
        // both handshakes finish; queued operations run as they arrive
        Thread runner = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Runnable t = queued.poll();
                if (t != null) {
                    t.run();
                } else {
                    Thread.onSpinWait();
                }
            }
        }, "test-queue-runner");
        runner.setDaemon(true);
        runner.start();
        try {
            firstPump.complete(10_000);
            secondPump.complete(10_000);
        } finally {
            runner.interrupt();
        }
        assertEquals(1, firstPump.serverFinished);
        assertEquals(1, secondPump.serverFinished);
        assertEquals(AsyncStatus.OK, second.getAsyncStatus());
    }
}
