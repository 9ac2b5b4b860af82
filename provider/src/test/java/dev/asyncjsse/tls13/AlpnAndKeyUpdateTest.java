package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** ALPN (RFC 7301) and KeyUpdate (RFC 8446, section 4.6.3) on the native server. */
class AlpnAndKeyUpdateTest {

    private static TestFront server(String[] protocols, BiFunction<SSLEngine, List<String>, String> selector) {
        SSLParameters p = NativeHandshakeTest.serverParameters();
        if (protocols != null) {
            p.setApplicationProtocols(protocols);
        }
        return new TestFront(NativeHandshakeTest.CONTEXT, p, b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256)))
                .protocolSelector(selector));
    }

    private static SSLEngine client(Peers.Client kind, String... protocols) throws Throwable {
        SSLEngine c = Peers.client(NativeHandshakeTest.clientContext(kind), kind, null, null, null);
        if (protocols.length > 0) {
            SSLParameters p = c.getSSLParameters();
            p.setApplicationProtocols(protocols);
            c.setSSLParameters(p);
        }
        return c;
    }

    @Test
    void theServersPreferenceAmongWhatTheClientOffers() throws Throwable {
        TestFront server = server(new String[] {"h2", "http/1.1"}, null);
        SSLEngine client = client(Peers.Client.SUNJSSE, "http/1.1", "h2");
        new EnginePair(client, server).handshake();
        assertEquals("h2", server.getApplicationProtocol());
        assertEquals("h2", client.getApplicationProtocol());
    }

    @Test
    void noProtocolInCommonIsNoApplicationProtocol() throws Throwable {
        TestFront server = server(new String[] {"h2"}, null);
        SSLEngine client = client(Peers.Client.BCJSSE, "http/1.1");
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> new EnginePair(client, server).handshake());
        assertTrue(e.getMessage().contains("no_application_protocol"), e.getMessage());
    }

    @Test
    void theSelectorIsHandedTheApplicationsEngineAndDecides() throws Throwable {
        AtomicReference<SSLEngine> seen = new AtomicReference<>();
        AtomicReference<List<String>> offered = new AtomicReference<>();
        TestFront server = server(new String[] {"ignored"}, (engine, list) -> {
            seen.set(engine);
            offered.set(list);
            return "spdy/3";
        });
        SSLEngine client = client(Peers.Client.SUNJSSE, "h2", "spdy/3");
        new EnginePair(client, server).handshake();
        assertSame(server, seen.get());
        assertEquals(List.of("h2", "spdy/3"), offered.get());
        assertEquals("spdy/3", server.getApplicationProtocol());
        assertEquals("spdy/3", client.getApplicationProtocol());
    }

    @Test
    void aSelectorReturningNullRefusesAndEmptyDeclines() throws Throwable {
        TestFront refusing = server(null, (engine, list) -> null);
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> new EnginePair(client(Peers.Client.SUNJSSE, "h2"), refusing).handshake());
        assertTrue(e.getMessage().contains("no_application_protocol"), e.getMessage());

        TestFront declining = server(null, (engine, list) -> "");
        SSLEngine client = client(Peers.Client.SUNJSSE, "h2");
        new EnginePair(client, declining).handshake();
        assertEquals("", declining.getApplicationProtocol());
        assertEquals("", client.getApplicationProtocol());
    }

    @Test
    void keyUpdatesFromEitherSideAnsweredAndDataKeepsFlowing() throws Throwable {
        for (Peers.Client kind : Peers.Client.values()) {
            TestFront server = server(null, null);
            SSLEngine client = client(kind);
            EnginePair pair = new EnginePair(client, server);
            pair.handshake();
            byte[] data = "under new keys".getBytes(StandardCharsets.UTF_8);
            for (int round = 0; round < 3; round++) {
                if (kind == Peers.Client.SUNJSSE) {
                    // the JDK's client sends KeyUpdate(update_requested) on beginHandshake
                    client.beginHandshake();
                    assertArrayEquals(data, pair.send(true, data));
                    assertArrayEquals(data, pair.send(false, data));
                }
                server.beginHandshake();
                assertEquals(SSLEngineResult.HandshakeStatus.NEED_WRAP, server.getHandshakeStatus());
                assertArrayEquals(data, pair.send(false, data));
                assertArrayEquals(data, pair.send(true, data));
                assertArrayEquals(data, pair.send(false, data));
            }
        }
    }

    @Test
    void aKeyUpdateAskingForOneIsAnsweredBeforeMoreData() throws Throwable {
        TestFront server = server(null, null);
        SSLEngine client = client(Peers.Client.SUNJSSE);
        new EnginePair(client, server).handshake();
        client.beginHandshake();
        ByteBuffer wire = ByteBuffer.allocate(20000);
        client.wrap(ByteBuffer.allocate(0), wire);
        wire.flip();
        SSLEngineResult r = server.unwrap(wire, ByteBuffer.allocate(20000));
        assertEquals(SSLEngineResult.Status.OK, r.getStatus());
        assertEquals(SSLEngineResult.HandshakeStatus.NEED_WRAP, r.getHandshakeStatus());
        ByteBuffer answer = ByteBuffer.allocate(20000);
        r = server.wrap(ByteBuffer.wrap(new byte[10]), answer);
        assertEquals(0, r.bytesConsumed(), "the KeyUpdate goes out alone, before application data");
        assertTrue(r.bytesProduced() > 0);
        answer.flip();
        r = client.unwrap(answer, ByteBuffer.allocate(20000));
        assertEquals(SSLEngineResult.Status.OK, r.getStatus());
    }
}
