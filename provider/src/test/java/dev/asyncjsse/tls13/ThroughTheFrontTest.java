package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.engine.ContextHandle;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.PeerPorts;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import org.junit.jupiter.api.Test;

/** The native engine behind the real engine front, chosen per context. */
class ThroughTheFrontTest {

    static SSLContext nativeContext() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        ctx.init(new javax.net.ssl.KeyManager[] {Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))},
                NativeHandshakeTest.PKI.trustManagers(), null);
        ((ContextHandle) ctx.getServerSessionContext()).config().setNativeTls13(true);
        return ctx;
    }

    private static boolean servedNatively(SSLEngine server) {
        // the native engine's sessions are its own class; the BCJSSE path wraps Bouncy Castle's
        return server.getSession() instanceof Tls13Session;
    }

    @Test
    void aTls13ClientHelloGoesToTheNativeEngine() throws Throwable {
        SSLEngine server = nativeContext().createSSLEngine();
        server.setUseClientMode(false);
        SSLEngine client = Peers.client(NativeHandshakeTest.clientContext(Peers.Client.SUNJSSE), Peers.Client.SUNJSSE, null, null, null);
        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        assertEquals(1, pair.serverFinished);
        assertTrue(servedNatively(server));
        assertEquals("TLSv1.3", server.getSession().getProtocol());
        byte[] data = "through the front".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(data, pair.send(true, data));
        assertArrayEquals(data, pair.send(false, data));
    }

    @Test
    void aTls12ClientStaysOnTheBcjssePath() throws Throwable {
        SSLEngine server = nativeContext().createSSLEngine();
        server.setUseClientMode(false);
        SSLEngine client = NativeHandshakeTest.clientContext(Peers.Client.SUNJSSE).createSSLEngine("localhost", PeerPorts.next());
        client.setUseClientMode(true);
        client.setEnabledProtocols(new String[] {"TLSv1.2"});
        new EnginePair(client, server).handshake();
        assertEquals("TLSv1.2", server.getSession().getProtocol());
        assertTrue(!servedNatively(server));
    }

    @Test
    void offloadPendingAndCallbackThroughTheFront() throws Throwable {
        SSLContext ctx = nativeContext();
        ControlledOffloader offloader = new ControlledOffloader();
        AsyncJsse.setKeyOffloader(ctx, offloader);
        CountDownLatch woken = new CountDownLatch(1);
        AsyncSSLEngine server = (AsyncSSLEngine) ctx.createSSLEngine();
        server.setUseClientMode(false);
        server.setOffloadCallback((engine, arg) -> woken.countDown(), null);
        SSLEngine client = Peers.client(NativeHandshakeTest.clientContext(Peers.Client.SUNJSSE), Peers.Client.SUNJSSE, null, null, null);
        ByteBuffer hello = ByteBuffer.allocate(32768);
        client.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        int length = hello.remaining();
        SSLEngineResult r = server.unwrap(hello, ByteBuffer.allocate(20000));
        assertTrue(AsyncSSLEngine.isOffloadPending(r), r.toString());
        assertEquals(length, r.bytesConsumed());
        assertEquals(AsyncStatus.OK, server.getAsyncStatus());
        assertEquals(SSLEngineResult.HandshakeStatus.NEED_TASK, server.getHandshakeStatus());
        offloader.only().complete();
        assertTrue(woken.await(5, TimeUnit.SECONDS));
        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        assertTrue(servedNatively(server));
        assertEquals(1, offloader.requests.size());
    }
}
