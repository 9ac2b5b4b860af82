package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.ForwardingKeyManager;
import dev.asyncjsse.testkit.TestPki;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Behaviour where AsyncJSSE should match SunJSSE: callbacks, sessions, errors on bad input. */
class SunJsseParityContractTest {

    /** Records the engine every callback receives. */
    static final class RecordingKeyManager extends ForwardingKeyManager {
        final List<Object> engines = new CopyOnWriteArrayList<>();

        RecordingKeyManager(KeyManager km) {
            super(km);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            engines.add(engine);
            return delegate.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            engines.add(engine);
            return delegate.chooseEngineClientAlias(keyTypes, issuers, engine);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            engines.add("socket-client");
            return delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            engines.add("socket-server");
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }
    }

    static final class RecordingTrustManager extends X509ExtendedTrustManager {
        final X509ExtendedTrustManager delegate;
        final List<Object> engines = new CopyOnWriteArrayList<>();
        final List<SSLSession> handshakeSessions = new CopyOnWriteArrayList<>();

        RecordingTrustManager(TrustManager tm) {
            this.delegate = (X509ExtendedTrustManager) tm;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            engines.add(engine);
            handshakeSessions.add(engine.getHandshakeSession());
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            engines.add(engine);
            handshakeSessions.add(engine.getHandshakeSession());
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            engines.add("socket");
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            engines.add("socket");
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            engines.add("none");
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            engines.add("none");
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    /** Key and trust managers are called with the AsyncSSLEngine itself, and see its handshake session. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void callbacksSeeTheAsyncEngine(String protocol) throws Exception {
        TestPki pki = RecordTest.PKI;
        RecordingKeyManager serverKm = new RecordingKeyManager(TestPki.keyManagers(RecordTest.SERVER)[0]);
        RecordingTrustManager serverTm = new RecordingTrustManager(pki.trustManagers()[0]);
        RecordingKeyManager clientKm = new RecordingKeyManager(TestPki.keyManagers(HandshakeFailureTest.CLIENT.chain[0]
                .getIssuerX500Principal().equals(pki.caCertificate().getSubjectX500Principal())
                        ? HandshakeFailureTest.CLIENT : pki.issue(TestPki.KeyKind.EC_P256, "client"))[0]);
        RecordingTrustManager clientTm = new RecordingTrustManager(pki.trustManagers()[0]);
        SSLEngine s = Tls.server(Tls.async(new KeyManager[] {serverKm}, new TrustManager[] {serverTm}));
        SSLEngine c = Tls.client(Tls.async(new KeyManager[] {clientKm}, new TrustManager[] {clientTm}));
        s.setNeedClientAuth(true);
        c.setEnabledProtocols(new String[] {protocol});
        new Loop(c, s).handshake();
        assertFalse(serverKm.engines.isEmpty());
        serverKm.engines.forEach(e -> assertSame(s, e, "server key manager got " + e));
        assertFalse(clientKm.engines.isEmpty());
        clientKm.engines.forEach(e -> assertSame(c, e, "client key manager got " + e));
        assertFalse(clientTm.engines.isEmpty());
        clientTm.engines.forEach(e -> assertSame(c, e, "client trust manager got " + e));
        assertFalse(serverTm.engines.isEmpty());
        serverTm.engines.forEach(e -> assertSame(s, e, "server trust manager got " + e));
        clientTm.handshakeSessions.forEach(h -> assertNotNull(h, "handshake session during checkServerTrusted"));
        serverTm.handshakeSessions.forEach(h -> assertNotNull(h, "handshake session during checkClientTrusted"));
    }

    /** Before the handshake SunJSSE's getSession() is the null session: SSL_NULL_WITH_NULL_NULL, protocol NONE. */
    @ParameterizedTest(name = "client={0}")
    @CsvSource({"true", "false"})
    void sessionBeforeHandshake(boolean client) throws Exception {
        SSLEngine e = client ? EngineApiContractTest.client() : EngineApiContractTest.server();
        SSLSession session = e.getSession();
        assertEquals("SSL_NULL_WITH_NULL_NULL", session.getCipherSuite());
        assertEquals("NONE", session.getProtocol());
        assertTrue(session.getPacketBufferSize() > 0);
        assertTrue(session.getApplicationBufferSize() > 0);
        assertEquals(null, e.getHandshakeSession());
    }

    @ParameterizedTest(name = "client={0}")
    @CsvSource({"true", "false"})
    void peerHostAndPort(boolean client) throws Exception {
        SSLContext ctx = Tls.async(RecordTest.SERVER, RecordTest.PKI);
        SSLEngine e = ctx.createSSLEngine("peer.example", 8443);
        e.setUseClientMode(client);
        Tls.assertAsync(ctx, e);
        assertEquals("peer.example", e.getPeerHost());
        assertEquals(8443, e.getPeerPort());
        SSLEngine none = ctx.createSSLEngine();
        assertEquals(null, none.getPeerHost());
        assertEquals(-1, none.getPeerPort());
    }

    /** A complete record of an unknown content type instead of a ClientHello: SSLException, and an alert for the peer. */
    @ParameterizedTest(name = "client={0}")
    @CsvSource({"true", "false"})
    void bogusRecordDuringHandshake(boolean client) throws Exception {
        SSLEngine e = client ? EngineApiContractTest.client() : EngineApiContractTest.server();
        e.beginHandshake();
        if (client) {
            e.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 15));
        }
        byte[] record = {99, 3, 3, 0, 5, 1, 2, 3, 4, 5};
        expectRejectionWithAlert(e, record);
    }

    /**
     * Plain HTTP sent to a TLS server: SunJSSE rejects it at once ("Unsupported or unrecognized SSL
     * message"); an engine that reads "GET /" as a 12 KiB record header waits for bytes that never come.
     */
    @ParameterizedTest(name = "stack={0}")
    @CsvSource({"SUN", "ASYNC"})
    void plaintextHttpRejectedAtOnce(Stack stack) throws Exception {
        SSLContext ctx = Tls.context(stack, TestPki.keyManagers(RecordTest.SERVER), null);
        SSLEngine e = Tls.server(ctx);
        e.beginHandshake();
        expectRejectionWithAlert(e, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
    }

    private static void expectRejectionWithAlert(SSLEngine e, byte[] bytes) throws SSLException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        SSLException failure = assertThrows(SSLException.class, () -> e.unwrap(in, ByteBuffer.allocate(1 << 17)));
        assertNotNull(failure.getMessage());
        ByteBuffer alert = ByteBuffer.allocate(1 << 15);
        e.wrap(ByteBuffer.allocate(0), alert);
        assertTrue(alert.position() > 0, "an alert for the peer");
        assertTrue(e.isOutboundDone());
    }

    /** A corrupted record after the handshake: SSLException (bad_record_mac), and the peer receives the alert. */
    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void corruptedRecord(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = RecordTest.connected(asyncIsServer, protocol);
        SSLEngine async = asyncIsServer ? loop.server : loop.client;
        SSLEngine peer = asyncIsServer ? loop.client : loop.server;
        ByteBuffer wire = ByteBuffer.allocate(1 << 15);
        peer.wrap(ByteBuffer.wrap(new byte[100]), wire);
        wire.flip();
        wire.put(wire.limit() - 3, (byte) (wire.get(wire.limit() - 3) ^ 1));
        SSLException failure = assertThrows(SSLException.class, () -> async.unwrap(wire, ByteBuffer.allocate(1 << 17)));
        assertTrue(Failures.text(failure).contains("bad_record_mac") || Failures.text(failure).contains("BAD_RECORD_MAC")
                || Failures.text(failure).toLowerCase().contains("mac"), Failures.text(failure));
        ByteBuffer alert = ByteBuffer.allocate(1 << 15);
        async.wrap(ByteBuffer.allocate(0), alert);
        alert.flip();
        assertTrue(alert.hasRemaining(), "alert for the peer");
        SSLException peerFailure = assertThrows(SSLException.class, () -> peer.unwrap(alert, ByteBuffer.allocate(1 << 17)));
        assertTrue(Failures.text(peerFailure).contains("bad_record_mac"), Failures.text(peerFailure));
    }

    /**
     * A client with only TLS 1.2 suites enabled (protocols left at their default) must still connect:
     * SunJSSE's client then does not offer TLS 1.3. AsyncJSSE's does, and a SunJSSE server picks TLS 1.3
     * and fails with handshake_failure.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"})
    void onlyTls12SuitesEnabled(String suite) throws Exception {
        SSLEngine s = Tls.server(Tls.context(Stack.SUN, TestPki.keyManagers(RecordTest.SERVER), null));
        SSLEngine c = EngineApiContractTest.client();
        c.setEnabledCipherSuites(new String[] {suite});
        Loop loop = new Loop(c, s).handshake();
        assertEquals("TLSv1.2", loop.client.getSession().getProtocol());
        assertEquals(suite, loop.client.getSession().getCipherSuite());
    }

    /**
     * The ALPN selector takes precedence over SSLParameters.setApplicationProtocols (SunJSSE), and an
     * empty string from it means "no ALPN" rather than a failure.
     */
    @ParameterizedTest(name = "{0} selector returns \"{1}\"")
    @CsvSource(value = {"SUN,b,b", "ASYNC,b,b", "SUN,'',''", "ASYNC,'',''"}, emptyValue = "")
    void alpnSelectorAndParameters(Stack stack, String chosen, String expected) throws Exception {
        SSLEngine s = Tls.server(Tls.context(stack, TestPki.keyManagers(RecordTest.SERVER), null));
        SSLParameters sp = s.getSSLParameters();
        sp.setApplicationProtocols(new String[] {"a"});
        s.setSSLParameters(sp);
        s.setHandshakeApplicationProtocolSelector((engine, offered) -> {
            assertSame(s, engine, "selector gets the engine itself");
            return chosen;
        });
        SSLEngine c = Tls.client(Tls.context(Stack.SUN, null, RecordTest.PKI.trustManagers()));
        SSLParameters cp = c.getSSLParameters();
        cp.setApplicationProtocols(new String[] {"a", "b"});
        c.setSSLParameters(cp);
        new Loop(c, s).handshake();
        assertEquals(expected, s.getApplicationProtocol());
        assertEquals(expected, c.getApplicationProtocol());
    }

    /** Against SunJSSE's own defaults: AsyncJSSE enables TLS 1.3 and 1.2, nothing older, by default. */
    @ParameterizedTest(name = "client={0}")
    @CsvSource({"true", "false"})
    void defaultProtocols(boolean client) throws Exception {
        SSLEngine e = client ? EngineApiContractTest.client() : EngineApiContractTest.server();
        SSLContext sun = Tls.context(Stack.SUN, null, null);
        SSLEngine s = sun.createSSLEngine();
        s.setUseClientMode(client);
        assertEquals(List.of(s.getEnabledProtocols()), List.of(e.getEnabledProtocols()));
    }
}
