package dev.asyncjsse.conformance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.conformance.interop.CountingOffloader.Operation;
import dev.asyncjsse.conformance.interop.Exchange.ClientCert;
import dev.asyncjsse.conformance.interop.Exchange.KeyUpdate;
import dev.asyncjsse.conformance.interop.Matrix.Group;
import dev.asyncjsse.conformance.interop.Matrix.Scheme;
import dev.asyncjsse.conformance.interop.Matrix.ServerKey;
import dev.asyncjsse.conformance.interop.ServerSetup.ClientAuth;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interop contract every real client peer is held to against AsyncJSSE's TLS 1.3 server
 * ({@link InteropServer}): each group, suite and signature scheme the peer supports, ALPN, client
 * authentication (accepted, optional, missing, refused with the RFC's alert), KeyUpdate with data
 * flowing after it, and session resumption once the server issues tickets. Each subclass adapts one
 * peer; what a peer cannot do is skipped with the reason.
 *
 * <p>Every successful connection is checked on both sides: the negotiated protocol and suite, the
 * server certificate the client accepted and the server session's local certificates, the client
 * certificate in the server session, ALPN, SNI, the echoed data, exactly one offloaded key operation
 * per full handshake with the signature scheme the client asked for, and that the engine under test
 * ({@link EngineUnderTest}) served it.
 */
abstract class PeerContract {

    /** RFC 8446 §6 alert numbers the tests expect. */
    static final int CERTIFICATE_UNKNOWN = 46;
    static final int CERTIFICATE_REQUIRED = 116;

    /** Something a peer may be unable to do; {@link #lacks} says why. */
    enum Feature { GROUP, SUITE, SCHEME, ALPN, CLIENT_CERT, KEY_UPDATE, RESUMPTION }

    final InteropServer server = InteropServer.shared();
    final InteropPki pki = InteropPki.get();

    /** Fails or skips (missing tool) before each test when the peer cannot run here. */
    abstract void requirePeer();

    /**
     * Why the peer cannot do {@code feature} with {@code value} (a {@link Group}, suite name,
     * {@link Scheme}, {@link KeyUpdate}, or null), or null when it can.
     */
    abstract String lacks(Feature feature, Object value);

    /**
     * Runs one connection of the peer to {@link #server} as {@code x} says and reports what the
     * peer saw. A TLS failure is not thrown: it shows in the returned view (no echo, an alert).
     */
    abstract ClientView connect(Exchange x) throws Exception;

    /**
     * Two connections in a row where the second offers to resume the first one's session (the
     * peer's own way: a session file, a resume flag, two URLs in one run, one client context).
     * Only called when {@link #lacks} allows {@link Feature#RESUMPTION}.
     */
    abstract List<ClientView> connectTwice(Exchange x) throws Exception;

    /** The application protocols this peer offers in the ALPN test; the server supports {@link ServerSetup#ALPN}. */
    List<String> alpnOffer() {
        return List.of("x-unknown", "x-interop");
    }

    @BeforeEach
    void peerPresent() {
        requirePeer();
    }

    void assume(Feature f, Object value) {
        String reason = lacks(f, value);
        Assumptions.assumeTrue(reason == null, () -> getClass().getSimpleName() + " cannot do " + f + " " + value + ": " + reason);
    }

    // ------------------------------------------------------------------ the matrix

    @ParameterizedTest(name = "{0}")
    @EnumSource(Group.class)
    void group(Group group) throws Exception {
        assume(Feature.GROUP, group);
        if (group == Group.X25519MLKEM768) {
            EngineUnderTest.assumeNative("X25519MLKEM768 key exchange");
        }
        ServerSetup s = ServerSetup.of(ServerKey.EC_P256);
        Exchange x = new Exchange().group(group);
        ClientView v = run(s, x);
        fullHandshake(s, x, v, server.next(s));
        if (v.group != null) {
            assertEquals(group, v.group, "group the client reports");
        }
    }

    /** Each suite, limited on the client; on the server instead when the peer cannot limit its own. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.asyncjsse.conformance.interop.Matrix#suites")
    void suite(String suite) throws Exception {
        boolean clientLimits = lacks(Feature.SUITE, suite) == null;
        ServerSetup s = clientLimits ? ServerSetup.of(ServerKey.EC_P256) : ServerSetup.onlySuite(suite);
        Exchange x = clientLimits ? new Exchange().suite(suite) : new Exchange();
        ClientView v = run(s, x);
        Served d = server.next(s);
        fullHandshake(s, x, v, d);
        assertEquals(suite, d.suite, "the suite " + (clientLimits ? "the client" : "the server") + " was limited to");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Scheme.class)
    void scheme(Scheme scheme) throws Exception {
        assume(Feature.SCHEME, scheme);
        ServerSetup s = ServerSetup.of(scheme.key);
        Exchange x = new Exchange().scheme(scheme);
        ClientView v = run(s, x);
        fullHandshake(s, x, v, server.next(s));
        assertEquals(scheme, s.offloader.operations().get(0).scheme(), "the server signed with the scheme the client allowed");
    }

    @Test
    void alpn() throws Exception {
        assume(Feature.ALPN, null);
        ServerSetup s = ServerSetup.of(ServerKey.EC_P256);
        List<String> offer = alpnOffer();
        Exchange x = new Exchange().alpn(offer.toArray(new String[0]));
        ClientView v = run(s, x);
        Served d = server.next(s);
        fullHandshake(s, x, v, d);
        String expected = ServerSetup.ALPN.stream().filter(offer::contains).findFirst().orElseThrow();
        assertEquals(expected, d.alpn, "the server's ALPN choice");
    }

    // ------------------------------------------------------------------ client authentication

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ClientAuth.class, names = {"NEED", "WANT"})
    void clientCertificateGiven(ClientAuth auth) throws Exception {
        assume(Feature.CLIENT_CERT, null);
        ServerSetup s = ServerSetup.of(ServerKey.EC_P256, auth);
        Exchange x = new Exchange().cert(ClientCert.TRUSTED);
        ClientView v = run(s, x);
        fullHandshake(s, x, v, server.next(s));
    }

    @Test
    void clientCertificateWantedAndMissing() throws Exception {
        ServerSetup s = ServerSetup.of(ServerKey.EC_P256, ClientAuth.WANT);
        Exchange x = new Exchange();
        ClientView v = run(s, x);
        fullHandshake(s, x, v, server.next(s));
    }

    /** RFC 8446 §4.4.2.4: a server that requires a certificate and gets none aborts with certificate_required. */
    @Test
    void clientCertificateRequiredAndMissing() throws Exception {
        ServerSetup s = ServerSetup.of(ServerKey.EC_P256, ClientAuth.NEED);
        ClientView v = run(s, new Exchange());
        refused(s, v, server.next(s), CERTIFICATE_REQUIRED);
    }

    /**
     * A chain the trust manager rejects: the trust manager does not say why, so the alert is
     * certificate_unknown (RFC 8446 §6.2), as SunJSSE and BCJSSE send.
     */
    @Test
    void clientCertificateUntrusted() throws Exception {
        assume(Feature.CLIENT_CERT, null);
        ServerSetup s = ServerSetup.of(ServerKey.EC_P256, ClientAuth.NEED);
        ClientView v = run(s, new Exchange().cert(ClientCert.STRANGER));
        refused(s, v, server.next(s), CERTIFICATE_UNKNOWN);
    }

    // ------------------------------------------------------------------ KeyUpdate

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = KeyUpdate.class, names = {"REQUESTED", "NOT_REQUESTED"})
    void keyUpdate(KeyUpdate kind) throws Exception {
        assume(Feature.KEY_UPDATE, kind);
        ServerSetup s = ServerSetup.of(ServerKey.EC_P256);
        Exchange x = new Exchange().keyUpdate(kind).lines("before the key update", "after the key update", "and once more");
        ClientView v = run(s, x);
        fullHandshake(s, x, v, server.next(s));
        if (v.serverKeyUpdates != null) {
            // §4.6.3: update_requested obliges the server to update its own keys before it sends more
            // data; update_not_requested must not make it update
            assertEquals(kind == KeyUpdate.REQUESTED ? 1 : 0, v.serverKeyUpdates.intValue(),
                    "KeyUpdate messages from the server; " + v + "\n" + v.transcript);
        }
    }

    // ------------------------------------------------------------------ resumption

    /**
     * A second connection resumes the first one's session: no key operation, reported as resumed by
     * the client. Skipped while the server issues no NewSessionTicket (set
     * {@code -Dinterop.expectResumption=true} to make that a failure instead).
     */
    @Test
    void resumption() throws Exception {
        assume(Feature.RESUMPTION, null);
        Resumption.assumeTicketsIssued();
        ServerSetup s = ServerSetup.of(ServerKey.EC_P256);
        server.serve(s);
        List<ClientView> views = connectTwice(new Exchange());
        ClientView first = views.get(0);
        ClientView second = views.get(1);
        Served d1 = server.next(s);
        Served d2 = server.next(s);
        if (first.ticketReceived != null) {
            assertTrue(first.ticketReceived, () -> "the client received a NewSessionTicket: " + first + "\n" + first.transcript);
        }
        assertNull(d1.failure, "first connection on the server: " + d1);
        assertNull(d2.failure, "second connection on the server: " + d2);
        assertEquals("TLSv1.3", d2.protocol);
        assertEquals(d1.suite, d2.suite, "a resumed session keeps its suite");
        assertTrue(second.connected, () -> "second connection: " + second + "\n" + second.transcript);
        if (second.resumed != null) {
            assertTrue(second.resumed, () -> "the client reports the second session as resumed: " + second + "\n" + second.transcript);
        }
        assertEquals(1, s.offloader.operations().size(),
                "a resumed handshake makes no key operation: one for the first connection, none for the second");
    }

    // ------------------------------------------------------------------ checks

    ClientView run(ServerSetup s, Exchange x) throws Exception {
        server.serve(s);
        return connect(x);
    }

    /** The checks every successful full handshake must pass, on both sides. */
    void fullHandshake(ServerSetup s, Exchange x, ClientView v, Served d) {
        String context = "\n" + x + "\n" + v + "\n" + d + "\npeer output:\n" + v.transcript;
        assertNull(d.failure, () -> "the server failed the connection" + context);
        assertTrue(d.handshakeDone, () -> "server handshake" + context);
        assertTrue(v.connected, () -> "client handshake" + context);
        assertEquals("TLSv1.3", d.protocol, context);
        if (v.protocol != null) {
            assertEquals("TLSv1.3", v.protocol, context);
        }
        assertTrue(Matrix.SUITES.contains(d.suite), () -> "a TLS 1.3 suite" + context);
        if (x.suite != null) {
            assertEquals(x.suite, d.suite, context);
        }
        if (v.suite != null) {
            assertEquals(d.suite, v.suite, "the same suite on both sides" + context);
        }
        Certificate[] local = d.localCertificates;
        assertNotNull(local, context);
        assertEquals(pki.serverCertificate(s.key), local[0], "the server session's local certificate" + context);
        if (v.serverCommonName != null) {
            assertEquals(InteropPki.commonName(s.key), v.serverCommonName, "the certificate the client accepted" + context);
        }
        if (x.cert == ClientCert.TRUSTED && s.clientAuth != ClientAuth.NONE) {
            assertNotNull(d.peerCertificates, () -> "the client's certificate in the server session" + context);
            assertEquals(pki.client.certificate(), d.peerCertificates[0], context);
        } else {
            assertNull(d.peerCertificates, () -> "no client certificate in the server session" + context);
        }
        if (x.alpn == null) {
            assertTrue(d.alpn == null || d.alpn.isEmpty(), () -> "no ALPN offered, none negotiated" + context);
        }
        if (v.alpn != null) {
            assertEquals(d.alpn == null ? "" : d.alpn, v.alpn, "the same ALPN protocol on both sides" + context);
        }
        if (v.serverName != null) {
            assertEquals(v.serverName.isEmpty() ? null : v.serverName, d.serverName, "the SNI the server saw" + context);
        }
        if (d.httpRequest == null) {
            assertEquals(x.lines, d.lines, "lines the server received" + context);
            assertEquals(x.lines, v.echoed, "lines echoed back to the client" + context);
        } else {
            assertTrue(d.httpRequest.startsWith("GET /"), context);
            assertFalse(v.echoed.isEmpty(), () -> "the client got the HTTP response" + context);
        }
        List<Operation> ops = s.offloader.operations();
        assertEquals(1, ops.size(), () -> "one offloaded key operation per full handshake: " + ops + context);
        Scheme signed = ops.get(0).scheme();
        assertNotNull(signed, () -> "a TLS 1.3 signature scheme: " + ops + context);
        assertEquals(s.key, signed.key, context);
        if (x.scheme != null) {
            assertEquals(x.scheme, signed, context);
        }
        if (v.signatureType != null) {
            assertEquals(family(signed).toLowerCase(Locale.ROOT), v.signatureType.toLowerCase(Locale.ROOT),
                    "the signature the client verified" + context);
        }
        if (v.signatureHash != null && signed.hash() != null) {
            assertEquals(signed.hash().replace("-", ""), v.signatureHash, "the signature hash the client verified" + context);
        }
        assertEquals(Set.of(EngineUnderTest.inEffect()), s.probe.seen(), "the engine under test served it" + context);
    }

    /** A handshake the server must refuse with {@code alert}, failing on its side with an SSLHandshakeException. */
    void refused(ServerSetup s, ClientView v, Served d, int alert) {
        String context = "\n" + v + "\n" + d + "\npeer output:\n" + v.transcript;
        assertInstanceOf(SSLHandshakeException.class, d.failure, "the server's failure" + context);
        assertFalse(d.handshakeDone, context);
        assertTrue(d.lines.isEmpty(), () -> "no application data accepted" + context);
        assertTrue(v.echoed.isEmpty(), () -> "nothing echoed" + context);
        if (v.alert != null) {
            assertEquals(alert, v.alert.intValue(), "the alert the client received" + context);
        }
        // one CertificateVerify per attempt: a client may retry (the JDK's HttpClient does), and every
        // attempt must have been refused the same way
        int attempts = 1;
        while (s.offloader.operations().size() > attempts) {
            Served again = server.next(s);
            assertInstanceOf(SSLHandshakeException.class, again.failure, "a retried connection is refused too" + context);
            attempts++;
        }
        assertEquals(attempts, s.offloader.operations().size(), () -> "the server signed its CertificateVerify once per attempt" + context);
    }

    /** How the peers name a scheme's signature algorithm: ECDSA, RSA-PSS or Ed25519. */
    static String family(Scheme s) {
        return s == Scheme.ED25519 ? "Ed25519" : s.name().startsWith("ECDSA") ? "ECDSA" : "RSA-PSS";
    }
}
