package dev.asyncjsse.offload;

import static dev.asyncjsse.offload.OffloadTestSupport.PKI;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins down the exact sequence of an offloaded handshake step with an offloader whose operations
 * the test completes by hand.
 */
class ManualOffloadTest {

    @ParameterizedTest(name = "server {0} {1} {2}")
    @CsvSource({
        "TLSv1.3,EC_P256,",
        "TLSv1.3,RSA_2048,",
        "TLSv1.3,RSA_PSS_2048,",
        "TLSv1.3,ED25519,",
        "TLSv1.2,EC_P256,",
        "TLSv1.2,RSA_2048,",
        "TLSv1.2,RSA_PSS_2048,",
        "TLSv1.2,RSA_2048,TLS_RSA_WITH_AES_128_GCM_SHA256",
    })
    void serverStepParksUntilTheOperationCompletes(String protocol, KeyKind kind, String onlySuite) throws Exception {
        TestPki.Identity id = PKI.issue(kind, "localhost", "localhost");
        ManualOffloader offloader = new ManualOffloader();
        SSLContext serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(id), null, offloader);
        boolean rsaKeyExchange = onlySuite != null;
        SSLContext clientCtx = rsaKeyExchange
                ? OffloadTestSupport.bcContext(null)
                : OffloadTestSupport.sunContext(null, PKI.trustManagers());
        AsyncSSLEngine server = (AsyncSSLEngine) OffloadTestSupport.server(serverCtx);
        SSLEngine client = OffloadTestSupport.client(clientCtx, protocol);
        if (rsaKeyExchange) {
            client.setEnabledCipherSuites(new String[] {onlySuite});
            server.setEnabledCipherSuites(OffloadTestSupport.plus(server.getEnabledCipherSuites(), onlySuite));
        }
        assertEquals(AsyncStatus.OK, server.getAsyncStatus());

        Pump pump = new Pump(client, server);
        SSLEngineResult pending = driveToOffloadRequest(pump, server, offloader);
        ManualOffloader.Request request = offloader.poll();
        assertNotNull(request, "the offloader got no request");
        assertEquals(rsaKeyExchange, request.decrypt, request.toString());
        assertTrue(AsyncSSLEngine.isOffloadPending(pending), pending.toString());
        assertEquals(Status.OK, pending.getStatus());
        assertEquals(HandshakeStatus.NEED_TASK, pending.getHandshakeStatus());
        assertEquals(0, pending.bytesProduced());
        assertTrue(pending.bytesConsumed() > 0, "the pending result counts the record it took: " + pending);

        int callbacksBefore = pump.callbackCount.get();
        assertPendingAndInert(server, pump);

        // Nothing happens until the test completes the operation.
        Thread.sleep(30);
        assertEquals(callbacksBefore, pump.callbackCount.get(), "callback before completion");
        assertTrue(server.isOffloadPending());

        Thread completer = Thread.currentThread();
        assertTrue(request.complete());
        awaitCallback(pump, offloader);
        assertEquals(callbacksBefore + 1, pump.callbackCount.get());
        Thread callbackThread;
        synchronized (pump.callbackThreads) {
            callbackThread = pump.callbackThreads.get(pump.callbackThreads.size() - 1);
        }
        assertNotEquals(completer, callbackThread, "callback on the completing (application) thread");
        assertFalse(server.isOffloadPending());
        assertEquals(AsyncStatus.OK, server.getAsyncStatus());

        if (!rsaKeyExchange) {
            // The step's outcome is the server flight, which the next wrap yields.
            assertEquals(HandshakeStatus.NEED_WRAP, server.getHandshakeStatus());
            ByteBuffer flight = ByteBuffer.allocate(1 << 16);
            SSLEngineResult r = server.wrap(ByteBuffer.allocate(0), flight);
            assertFalse(AsyncSSLEngine.isOffloadPending(r));
            assertEquals(Status.OK, r.getStatus());
            assertTrue(r.bytesProduced() > 0, r.toString());
            flight.flip();
            pump.s2c.put(flight);
        }
        pump.complete(10_000);
        assertNull(offloader.poll(), "unexpected extra key operation");
        assertEquals(1, pump.serverFinished, "server FINISHED count");
        assertEquals(1, pump.clientFinished, "client FINISHED count");
        assertEquals(protocol, server.getSession().getProtocol());
        if (rsaKeyExchange) {
            assertEquals(onlySuite, server.getSession().getCipherSuite());
        }
        assertEquals(pump.pendingResults.size(), pump.callbackCount.get(), "one callback per pending episode");
        byte[] hello = "hello offload".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, pump.send(true, hello));
        assertArrayEquals(hello, pump.send(false, hello));
        assertEquals(1, offloader.count.get());
    }

    @ParameterizedTest(name = "client auth {0} {1}")
    @CsvSource({
        "TLSv1.3,EC_P256",
        "TLSv1.3,RSA_2048",
        "TLSv1.3,ED25519",
        "TLSv1.2,EC_P256",
        "TLSv1.2,RSA_2048",
        "TLSv1.2,RSA_PSS_2048",
    })
    void clientAuthSigningParksOnTheClient(String protocol, KeyKind kind) throws Exception {
        TestPki.Identity serverId = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
        TestPki.Identity clientId = PKI.issue(kind, "client");
        ManualOffloader offloader = new ManualOffloader();
        SSLContext clientCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(clientId), PKI.trustManagers(), offloader);
        SSLContext serverCtx = OffloadTestSupport.sunContext(TestPki.keyManagers(serverId), PKI.trustManagers());
        SSLEngine server = OffloadTestSupport.server(serverCtx);
        server.setNeedClientAuth(true);
        AsyncSSLEngine client = (AsyncSSLEngine) OffloadTestSupport.client(clientCtx, protocol);

        Pump pump = new Pump(client, server);
        SSLEngineResult pending = driveToOffloadRequest(pump, client, offloader);
        ManualOffloader.Request request = offloader.poll();
        assertNotNull(request);
        assertFalse(request.decrypt);
        assertTrue(AsyncSSLEngine.isOffloadPending(pending));
        assertEquals(0, pending.bytesProduced());
        int callbacksBefore = pump.callbackCount.get();
        assertPendingAndInert(client, pump);
        assertTrue(request.complete());
        awaitCallback(pump, offloader);
        assertEquals(callbacksBefore + 1, pump.callbackCount.get());
        pump.complete(10_000);
        assertEquals(1, pump.serverFinished);
        assertEquals(1, pump.clientFinished);
        assertEquals("CN=client", server.getSession().getPeerPrincipal().getName());
        byte[] hello = "hello client auth".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, pump.send(true, hello));
        assertArrayEquals(hello, pump.send(false, hello));
        assertEquals(pump.pendingResults.size(), pump.callbackCount.get(), "one callback per pending episode");
    }

    static void awaitCallback(Pump pump, ManualOffloader offloader) throws Exception {
        if (!pump.callbacks.tryAcquire(5, TimeUnit.SECONDS)) {
            throw new AssertionError("no callback after completion; further offloader request: " + offloader.poll());
        }
    }

    /** While parked: further calls return pending and consume nothing; status is NEED_TASK. */
    static void assertPendingAndInert(AsyncSSLEngine engine, Pump pump) throws Exception {
        assertTrue(engine.isOffloadPending());
        assertEquals(HandshakeStatus.NEED_TASK, engine.getHandshakeStatus());
        ByteBuffer junk = ByteBuffer.wrap(new byte[] {22, 3, 3, 0, 1, 1});
        SSLEngineResult again = engine.unwrap(junk, ByteBuffer.allocate(1 << 16));
        assertTrue(AsyncSSLEngine.isOffloadPending(again), again.toString());
        assertEquals(0, again.bytesConsumed());
        assertEquals(0, junk.position());
        ByteBuffer out = ByteBuffer.allocate(1 << 16);
        SSLEngineResult w = engine.wrap(ByteBuffer.wrap(new byte[10]), out);
        assertTrue(AsyncSSLEngine.isOffloadPending(w), w.toString());
        assertEquals(0, w.bytesConsumed());
        assertEquals(0, w.bytesProduced());
        assertEquals(0, out.position());
        // getters answer at once from cached state
        long t0 = System.nanoTime();
        engine.getSession();
        engine.getSSLParameters();
        engine.isOutboundDone();
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500), "a getter blocked");
    }

    /**
     * Drives the pair until {@code engine} is parked on a key operation, waiting for callbacks of
     * steps that only outlived the wait budget.
     */
    static SSLEngineResult driveToOffloadRequest(Pump pump, AsyncSSLEngine engine, ManualOffloader offloader)
            throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            int seen = pump.pendingResults.size();
            SSLEngine parked = pump.run();
            if (parked == null) {
                throw new AssertionError("the handshake finished without a key operation");
            }
            // a parked step either waits for the offloader or only outlived the wait budget
            while (System.currentTimeMillis() < deadline) {
                if (offloader.peek() != null && parked == engine) {
                    assertTrue(pump.pendingResults.size() > seen);
                    return pump.pendingResults.get(pump.pendingResults.size() - 1);
                }
                if (pump.callbacks.tryAcquire(5, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        }
        throw new AssertionError("no key operation within 10 s");
    }
}
