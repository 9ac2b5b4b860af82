package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.engine.ContextHandle;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** TLS 1.3 resumption with session tickets, served by the native engine behind the real front. */
class ResumptionTest {

    static final TestPki PKI = NativeHandshakeTest.PKI;
    static final byte[] REPLY = "served".getBytes(StandardCharsets.UTF_8);

    /** A server context of the provider on the native engine, its offloader counting signatures. */
    static SSLContext serverContext(CountingOffloader offloader) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        ctx.init(new KeyManager[] {Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))}, PKI.trustManagers(), null);
        ((ContextHandle) ctx.getServerSessionContext()).config().setNativeTls13(true);
        AsyncJsse.setKeyOffloader(ctx, offloader);
        return ctx;
    }

    static SSLEngine server(SSLContext ctx) {
        SSLEngine server = ctx.createSSLEngine("client.test", 4433);
        server.setUseClientMode(false);
        SSLParameters p = server.getSSLParameters();
        p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        server.setSSLParameters(p);
        return server;
    }

    static SSLEngine sunClient(SSLContext clientCtx) throws Throwable {
        SSLEngine client = Peers.client(clientCtx, 443, Peers.Client.SUNJSSE, null, null, null);
        SSLParameters p = client.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName("localhost")));
        p.setApplicationProtocols(new String[] {"http/1.1"});
        client.setSSLParameters(p);
        return client;
    }

    /** One connection: the handshake, then a reply from the server, which carries the tickets before it. */
    static EnginePair connect(SSLEngine client, SSLEngine server) throws Exception {
        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        assertArrayEquals(REPLY, pair.send(false, REPLY));
        return pair;
    }

    @Test
    void aSunJsseClientResumesWithoutAKeyOperation() throws Throwable {
        CountingOffloader offloader = new CountingOffloader();
        SSLContext serverCtx = serverContext(offloader);
        SSLContext clientCtx = Peers.context(Peers.Client.SUNJSSE, null, PKI.trustManagers());

        SSLEngine firstServer = server(serverCtx);
        connect(sunClient(clientCtx), firstServer);
        SSLSession first = firstServer.getSession();
        assertTrue(first instanceof Tls13Session, "served by the native engine");
        assertFalse(((Tls13Session) first).isResumed());
        assertEquals(1, offloader.signatures.get());

        SSLEngine secondServer = server(serverCtx);
        SSLEngine secondClient = sunClient(clientCtx);
        connect(secondClient, secondServer);
        Tls13Session second = (Tls13Session) secondServer.getSession();
        assertTrue(second.isResumed(), "the second handshake resumed");
        assertEquals(1, offloader.signatures.get(), "no key operation for the resumed handshake");
        // as SunJSSE: an id of its own, the first session's creation time
        assertFalse(java.util.Arrays.equals(first.getId(), second.getId()));
        assertEquals(first.getCreationTime(), second.getCreationTime());
        assertArrayEquals(first.getLocalCertificates(), second.getLocalCertificates());
        assertEquals("http/1.1", secondServer.getApplicationProtocol());
        assertEquals(List.of(new SNIHostName("localhost")), second.getRequestedServerNames());

        assertSame(second, serverCtx.getServerSessionContext().getSession(second.getId()), "the session context lists both");
        assertSame(first, serverCtx.getServerSessionContext().getSession(first.getId()));
        assertSame(serverCtx.getServerSessionContext(), second.getSessionContext());
        assertTrue(Collections.list(serverCtx.getServerSessionContext().getIds()).stream()
                .anyMatch(id -> java.util.Arrays.equals(id, first.getId())));
        assertTrue(second.isValid());
        assertNotNull(second.getSessionContext());
    }

    @Test
    void aClientAuthSessionResumesWithItsPeerChain() throws Throwable {
        CountingOffloader offloader = new CountingOffloader();
        SSLContext serverCtx = serverContext(offloader);
        TestPki.Identity clientId = PKI.issue(KeyKind.EC_P256, "resuming client");
        SSLContext clientCtx = Peers.context(Peers.Client.SUNJSSE, TestPki.keyManagers(clientId), PKI.trustManagers());

        SSLEngine firstServer = server(serverCtx);
        firstServer.setNeedClientAuth(true);
        connect(sunClient(clientCtx), firstServer);

        SSLEngine secondServer = server(serverCtx);
        secondServer.setNeedClientAuth(true);
        connect(sunClient(clientCtx), secondServer);
        Tls13Session second = (Tls13Session) secondServer.getSession();
        assertTrue(second.isResumed());
        assertEquals(1, offloader.signatures.get());
        assertArrayEquals(firstServer.getSession().getPeerCertificates(), second.getPeerCertificates());
        assertEquals(clientId.certificate(), second.getPeerCertificates()[0]);
        assertEquals(clientId.certificate().getSubjectX500Principal(), second.getPeerPrincipal());
    }

    @Test
    void aSessionWithoutClientCertificateDoesNotResumeWhereOneIsRequired() throws Throwable {
        CountingOffloader offloader = new CountingOffloader();
        SSLContext serverCtx = serverContext(offloader);
        SSLContext clientCtx = Peers.context(Peers.Client.SUNJSSE, TestPki.keyManagers(PKI.issue(KeyKind.EC_P256, "c")),
                PKI.trustManagers());
        connect(sunClient(clientCtx), server(serverCtx));
        SSLEngine secondServer = server(serverCtx);
        secondServer.setNeedClientAuth(true);
        connect(sunClient(clientCtx), secondServer);
        assertFalse(((Tls13Session) secondServer.getSession()).isResumed(), "the first session has no client certificate");
        assertEquals(2, offloader.signatures.get());
    }

    @Test
    void aResumingHelloDoesNotWaitForASaturatedOffloader() throws Throwable {
        ControlledOffloader offloader = new ControlledOffloader();
        SSLContext serverCtx = ThroughTheFrontTest.nativeContext();
        AsyncJsse.setKeyOffloader(serverCtx, offloader);
        SSLContext clientCtx = Peers.context(Peers.Client.SUNJSSE, null, PKI.trustManagers());
        SSLEngine firstServer = server(serverCtx);
        EnginePair first = new EnginePair(sunClient(clientCtx), firstServer);
        ByteBuffer hello = ByteBuffer.allocate(1 << 15);
        first.client.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        firstServer.unwrap(hello, ByteBuffer.allocate(1 << 15));
        offloader.only().complete();
        first.handshake();
        assertArrayEquals(REPLY, first.send(false, REPLY));

        offloader.saturated = true;
        AsyncSSLEngine secondServer = (AsyncSSLEngine) server(serverCtx);
        SSLEngine secondClient = sunClient(clientCtx);
        ByteBuffer resuming = ByteBuffer.allocate(1 << 15);
        secondClient.wrap(ByteBuffer.allocate(0), resuming);
        resuming.flip();
        SSLEngineResult r = secondServer.unwrap(resuming, ByteBuffer.allocate(1 << 15));
        assertFalse(AsyncSSLEngine.isOffloadPending(r), "no wait for capacity: " + r);
        assertEquals(SSLEngineResult.HandshakeStatus.NEED_WRAP, r.getHandshakeStatus());
        new EnginePair(secondClient, secondServer).handshake();
        assertTrue(((Tls13Session) secondServer.getSession()).isResumed());
        assertEquals(1, offloader.requests.size(), "the offloader was called for the first handshake only");
    }

    @Test
    void theMonitorCountsResumedHandshakes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Throwable {
        CountingOffloader offloader = new CountingOffloader();
        SSLContext serverCtx = serverContext(offloader);
        SSLContext clientCtx = Peers.context(Peers.Client.SUNJSSE, null, PKI.trustManagers());
        String peer = "monitored.test";
        List<jdk.jfr.consumer.RecordedEvent> events;
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
            recording.enable("dev.asyncjsse.Handshake");
            recording.start();
            for (int i = 0; i < 3; i++) {
                SSLEngine server = serverCtx.createSSLEngine(peer, 4433);
                server.setUseClientMode(false);
                connect(sunClient(clientCtx), server);
            }
            recording.stop();
            java.nio.file.Path file = dir.resolve("resumption.jfr");
            recording.dump(file);
            events = jdk.jfr.consumer.RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.asyncjsse.Handshake"))
                    .filter(e -> (peer + ":4433").equals(e.getString("peer")))
                    .sorted(java.util.Comparator.comparing(jdk.jfr.consumer.RecordedEvent::getStartTime))
                    .collect(java.util.stream.Collectors.toList());
        }
        dev.asyncjsse.monitor.ContextMonitor monitor = ((ContextHandle) serverCtx.getServerSessionContext()).config().monitor();
        assertEquals(3, monitor.getHandshakesCompleted());
        assertEquals(2, monitor.getHandshakesResumed());
        assertEquals(1, offloader.signatures.get());
        assertEquals(3, events.size(), events::toString);
        assertFalse(events.get(0).getBoolean("resumed"));
        assertTrue(events.get(0).getBoolean("offloaded"));
        for (int i = 1; i < 3; i++) {
            assertTrue(events.get(i).getBoolean("resumed"), events.get(i)::toString);
            assertFalse(events.get(i).getBoolean("offloaded"), "no key operation: " + events.get(i));
        }
    }

    @Test
    void theSessionContextsSizeAndTimeoutApply() throws Throwable {
        CountingOffloader offloader = new CountingOffloader();
        SSLContext serverCtx = serverContext(offloader);
        javax.net.ssl.SSLSessionContext sessions = serverCtx.getServerSessionContext();
        assertEquals(86_400, sessions.getSessionTimeout());
        sessions.setSessionCacheSize(2);
        List<byte[]> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SSLEngine server = server(serverCtx);
            // a client context each: three sessions, no resumption
            connect(sunClient(Peers.context(Peers.Client.SUNJSSE, null, PKI.trustManagers())), server);
            ids.add(server.getSession().getId());
        }
        List<byte[]> listed = Collections.list(sessions.getIds());
        assertEquals(2, listed.size());
        assertTrue(listed.stream().noneMatch(id -> java.util.Arrays.equals(id, ids.get(0))), "the oldest went first");
        assertEquals(null, sessions.getSession(ids.get(0)));
        assertNotNull(sessions.getSession(ids.get(2)));

        sessions.setSessionTimeout(1);
        assertEquals(1, sessions.getSessionTimeout());
        SSLEngine server = server(serverCtx);
        SSLContext clientCtx = Peers.context(Peers.Client.SUNJSSE, null, PKI.trustManagers());
        connect(sunClient(clientCtx), server);
        Tls13Session s = (Tls13Session) server.getSession();
        assertTrue(s.isValid());
        // the ticket's lifetime follows the timeout: a session older than it is neither valid nor resumed
        long now = System.currentTimeMillis();
        s.registry().setClock(() -> now + 5_000);
        assertFalse(s.isValid(), "timed out");
        SSLEngine again = server(serverCtx);
        connect(sunClient(clientCtx), again);
        assertFalse(((Tls13Session) again.getSession()).isResumed());
    }
}
