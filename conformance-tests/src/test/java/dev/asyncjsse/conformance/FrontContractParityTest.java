package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.TestPki;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLProtocolException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine front's contract, each scenario run on SunJSSE and on AsyncJSSE with the same
 * assertions: default role, names checked by the setters, a client that reads first, small
 * destinations, half close, exception types, session getters, and the server's answer to first
 * flights it must refuse (issue items 1 to 7, 10 and 11). Where SunJSSE departs from an RFC, the
 * test says so and asserts the RFC's rule on AsyncJSSE only.
 */
class FrontContractParityTest {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private static SSLContext serverContext(Stack stack) throws Exception {
        return Tls.context(stack, TestPki.keyManagers(RecordTest.SERVER), null);
    }

    private static SSLContext clientContext(Stack stack) throws Exception {
        return Tls.context(stack, null, RecordTest.PKI.trustManagers());
    }

    /** {@code stack} on one side, SunJSSE on the other, handshaken. */
    private static Loop connected(Stack stack, boolean testedIsServer, String protocol) throws Exception {
        SSLEngine server = Tls.server(serverContext(testedIsServer ? stack : Stack.SUN));
        SSLEngine client = Tls.client(clientContext(testedIsServer ? Stack.SUN : stack), RawClientHello.HOST, 443);
        client.setEnabledProtocols(new String[] {protocol});
        Loop loop = new Loop(client, server).handshake();
        loop.pump();
        return loop;
    }

    // ---- item 1: the default role

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void aNewEngineIsAServerButMustBeToldItsMode(Stack stack) throws Exception {
        SSLContext ctx = serverContext(stack);
        assertFalse(ctx.createSSLEngine().getUseClientMode(), "default role");
        assertThrows(IllegalStateException.class, () -> ctx.createSSLEngine().beginHandshake());
        assertThrows(IllegalStateException.class, () -> ctx.createSSLEngine().wrap(EMPTY, ByteBuffer.allocate(1 << 15)));
        assertThrows(IllegalStateException.class, () -> ctx.createSSLEngine().unwrap(EMPTY, ByteBuffer.allocate(1 << 15)));
    }

    // ---- item 2: names are checked

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void unsupportedSuitesAndProtocolsAreRejectedByName(Stack stack) throws Exception {
        SSLEngine e = Tls.server(serverContext(stack));
        List<String> suites = List.of(e.getEnabledCipherSuites());
        List<String> protocols = List.of(e.getEnabledProtocols());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> e.setEnabledCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256", "TLS_NOT_A_SUITE"}));
        assertTrue(bad.getMessage().contains("TLS_NOT_A_SUITE"), bad.getMessage());
        bad = assertThrows(IllegalArgumentException.class, () -> e.setEnabledProtocols(new String[] {"TLSv1.2", "TLSv9"}));
        assertTrue(bad.getMessage().contains("TLSv9"), bad.getMessage());
        SSLParameters p = e.getSSLParameters();
        p.setCipherSuites(new String[] {"TLS_NOPE_WITH_NOTHING"});
        bad = assertThrows(IllegalArgumentException.class, () -> e.setSSLParameters(p));
        assertTrue(bad.getMessage().contains("TLS_NOPE_WITH_NOTHING"), bad.getMessage());
        SSLParameters q = e.getSSLParameters();
        q.setProtocols(new String[] {"TLSv2"});
        bad = assertThrows(IllegalArgumentException.class, () -> e.setSSLParameters(q));
        assertTrue(bad.getMessage().contains("TLSv2"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> e.setEnabledCipherSuites(null));
        assertThrows(IllegalArgumentException.class, () -> e.setEnabledProtocols(null));
        assertThrows(IllegalArgumentException.class, () -> e.setEnabledCipherSuites(new String[] {""}));

        assertEquals(suites, List.of(e.getEnabledCipherSuites()), "a rejected call changes nothing");
        assertEquals(protocols, List.of(e.getEnabledProtocols()), "a rejected call changes nothing");
        e.setEnabledCipherSuites(new String[] {"TLS_AES_256_GCM_SHA384"});
        assertEquals(List.of("TLS_AES_256_GCM_SHA384"), List.of(e.getEnabledCipherSuites()));
    }

    /** A server whose suites serve only TLS 1.2 negotiates TLS 1.2 with a client that offers 1.3 too. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void aServerWithOnlyTls12SuitesNegotiatesTls12(Stack stack) throws Exception {
        SSLEngine server = Tls.server(serverContext(stack));
        server.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        SSLEngine client = Tls.client(clientContext(Stack.SUN));
        Loop loop = new Loop(client, server).handshake();
        assertEquals("TLSv1.2", loop.server.getSession().getProtocol());
        assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", loop.server.getSession().getCipherSuite());
    }

    /** Only TLS 1.3 suites with only TLS 1.2 enabled: no protocol can be used, a handshake failure. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void suitesThatServeNoEnabledProtocolFailTheHandshake(Stack stack) throws Exception {
        SSLEngine client = Tls.client(clientContext(stack));
        client.setEnabledCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256"});
        client.setEnabledProtocols(new String[] {"TLSv1.2"});
        Loop loop = new Loop(client, Tls.server(serverContext(Stack.SUN))).run();
        SSLException failure = loop.clientError != null ? loop.clientError : loop.serverError;
        assertInstanceOf(SSLHandshakeException.class, failure, String.valueOf(failure));
    }

    // ---- item 3: a client that reads first

    @ParameterizedTest(name = "{0}, {1} bytes")
    @CsvSource({"SUN,0", "ASYNC,0", "SUN,10", "ASYNC,10"})
    void aClientThatUnwrapsFirstStartsItsHandshakeAndReadsNothing(Stack stack, int garbage) throws Exception {
        SSLEngine client = Tls.client(clientContext(stack));
        ByteBuffer in = ByteBuffer.wrap(new byte[garbage]);
        SSLEngineResult r = client.unwrap(in, ByteBuffer.allocate(1 << 15));
        assertEquals(Status.OK, r.getStatus());
        assertEquals(HandshakeStatus.NEED_WRAP, r.getHandshakeStatus());
        assertEquals(0, r.bytesConsumed());
        assertEquals(0, r.bytesProduced());
        assertEquals(0, in.position());
        assertEquals(HandshakeStatus.NEED_WRAP, client.getHandshakeStatus());
        Loop loop = new Loop(client, Tls.server(serverContext(Stack.SUN))).handshake();
        assertEquals("TLSv1.3", loop.client.getSession().getProtocol(), "the handshake then runs as usual");
    }

    // ---- item 4: room for a whole record

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void wrapIntoLessThanAPacketOverflows(Stack stack) throws Exception {
        SSLEngine client = Tls.client(clientContext(stack));
        ByteBuffer small = ByteBuffer.allocate(client.getSession().getPacketBufferSize() - 1);
        SSLEngineResult r = client.wrap(EMPTY, small);
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus(), "the ClientHello");
        assertEquals(0, small.position());

        Loop loop = connected(stack, false, "TLSv1.3");
        SSLEngine tested = loop.client;
        ByteBuffer data = ByteBuffer.wrap(new byte[100]);
        small = ByteBuffer.allocate(tested.getSession().getPacketBufferSize() - 1);
        r = tested.wrap(data, small);
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus(), "application data");
        assertEquals(0, data.position(), "nothing taken");
        r = tested.wrap(data, ByteBuffer.allocate(tested.getSession().getPacketBufferSize()));
        assertEquals(Status.OK, r.getStatus());
        assertEquals(100, r.bytesConsumed());
    }

    // ---- item 5: closeOutbound is a half close

    @ParameterizedTest(name = "{0} server={1} {2}")
    @CsvSource({"SUN,false,TLSv1.3", "ASYNC,false,TLSv1.3", "SUN,false,TLSv1.2", "ASYNC,false,TLSv1.2",
                "SUN,true,TLSv1.3", "ASYNC,true,TLSv1.3", "SUN,true,TLSv1.2", "ASYNC,true,TLSv1.2"})
    void closeOutboundLeavesTheInboundSideOpen(Stack stack, boolean testedIsServer, String protocol) throws Exception {
        Loop loop = connected(stack, testedIsServer, protocol);
        SSLEngine tested = testedIsServer ? loop.server : loop.client;
        SSLEngine peer = testedIsServer ? loop.client : loop.server;

        tested.closeOutbound();
        assertFalse(tested.isInboundDone(), "inbound still open after closeOutbound");
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        SSLEngineResult r = tested.wrap(ByteBuffer.wrap(new byte[10]), wire);
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(r.bytesProduced() > 0, "close_notify");
        assertEquals(0, r.bytesConsumed(), "no application data after closeOutbound");
        assertTrue(tested.isOutboundDone());
        r = tested.wrap(ByteBuffer.wrap(new byte[10]), wire);
        assertEquals(Status.CLOSED, r.getStatus());
        assertEquals(0, r.bytesProduced(), "nothing more after the close_notify");
        assertFalse(tested.isInboundDone());

        byte[] late = "late data".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer fromPeer = ByteBuffer.allocate(1 << 16);
        peer.wrap(ByteBuffer.wrap(late), fromPeer);
        fromPeer.flip();
        ByteBuffer app = ByteBuffer.allocate(1 << 16);
        r = tested.unwrap(fromPeer, app);
        assertEquals(Status.OK, r.getStatus());
        app.flip();
        byte[] got = new byte[app.remaining()];
        app.get(got);
        assertArrayEquals(late, got, "the peer's data after our close_notify is still read");
        assertFalse(tested.isInboundDone());

        wire.flip();
        assertEquals(Status.CLOSED, peer.unwrap(wire, ByteBuffer.allocate(1 << 16)).getStatus(), "the peer read our close_notify");
        peer.closeOutbound();
        ByteBuffer peerClose = ClosureTest.drainWrap(peer);
        r = tested.unwrap(peerClose, ByteBuffer.allocate(1 << 16));
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(tested.isInboundDone(), "done once the peer's close_notify is read");
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, tested.getHandshakeStatus());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"SUN,TLSv1.3", "ASYNC,TLSv1.3", "SUN,TLSv1.2", "ASYNC,TLSv1.2"})
    void closeInboundAfterCloseOutboundReportsTheTruncation(Stack stack, String protocol) throws Exception {
        SSLEngine tested = connected(stack, false, protocol).client;
        tested.closeOutbound();
        ClosureTest.drainWrap(tested);
        assertFalse(tested.isInboundDone());
        assertThrows(SSLException.class, tested::closeInbound, "no close_notify was received");
        assertTrue(tested.isInboundDone());
    }

    // ---- item 6: exception types

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void aRecordOfUnknownTypeIsNotAHandshakeFailure(Stack stack) throws Exception {
        Refusal refused = Refusal.of(stack, new byte[] {99, 3, 3, 0, 5, 1, 2, 3, 4, 5});
        assertRecordLayerFailure(stack, refused.failure);
        assertTrue(refused.alert > 0, "an alert for the peer");
    }

    @ParameterizedTest(name = "{0} server={1} {2}")
    @CsvSource({"SUN,false,TLSv1.3", "ASYNC,false,TLSv1.3", "SUN,true,TLSv1.2", "ASYNC,true,TLSv1.2"})
    void aBrokenRecordAfterTheHandshakeIsNotAHandshakeFailure(Stack stack, boolean testedIsServer, String protocol)
            throws Exception {
        Loop loop = connected(stack, testedIsServer, protocol);
        SSLEngine tested = testedIsServer ? loop.server : loop.client;
        byte[] forged = new byte[35];
        forged[0] = 23;
        forged[1] = 3;
        forged[2] = 3;
        forged[4] = 30;
        SSLException failure = assertThrows(SSLException.class,
                () -> tested.unwrap(ByteBuffer.wrap(forged), ByteBuffer.allocate(1 << 16)));
        assertRecordLayerFailure(stack, failure);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void anUntrustedServerIsAHandshakeFailureNamingTheCause(Stack stack) throws Exception {
        SSLEngine client = Tls.client(Tls.context(stack, null, HandshakeFailureTest.OTHER.trustManagers()));
        Loop loop = new Loop(client, Tls.server(serverContext(Stack.SUN))).run();
        assertInstanceOf(SSLHandshakeException.class, loop.clientError);
        assertTrue(Failures.text(loop.clientError).matches("(?is).*(certif|trust|path).*"), Failures.text(loop.clientError));
    }

    /** A record-layer failure is an SSLException but not a handshake failure; AsyncJSSE makes it an SSLProtocolException. */
    private static void assertRecordLayerFailure(Stack stack, SSLException failure) {
        assertNotNull(failure, "the engine failed");
        assertFalse(failure instanceof SSLHandshakeException, "not a handshake failure: " + Failures.text(failure));
        assertNotNull(failure.getMessage());
        if (stack == Stack.ASYNC) {
            assertInstanceOf(SSLProtocolException.class, failure, Failures.text(failure));
        }
    }

    // ---- item 7: session getters

    @ParameterizedTest(name = "{0} server={1} {2}")
    @CsvSource({"SUN,false,TLSv1.3", "ASYNC,false,TLSv1.3", "SUN,true,TLSv1.2", "ASYNC,true,TLSv1.2"})
    @SuppressWarnings("removal")
    void sessionGettersAnswerAsSunJsse(Stack stack, boolean testedIsServer, String protocol) throws Exception {
        Loop loop = connected(stack, testedIsServer, protocol);
        SSLEngine tested = testedIsServer ? loop.server : loop.client;
        assertThrows(UnsupportedOperationException.class, () -> tested.getSession().getPeerCertificateChain());
        List<?> names = ((ExtendedSSLSession) tested.getSession()).getRequestedServerNames();
        assertEquals(List.of(new SNIHostName(RawClientHello.HOST)), names, "the server names the client requested");
    }

    // ---- items 10 and 11: first flights a server refuses

    @ParameterizedTest(name = "{0} \"{1}\"")
    @CsvSource({"SUN,b.localhost.", "ASYNC,b.localhost.", "SUN,a_b.example.com", "ASYNC,a_b.example.com",
                "SUN,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com",
                "ASYNC,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com"})
    void anIllegalServerNameIsRefusedWithIllegalParameter(Stack stack, String name) throws Exception {
        Refusal refused = Refusal.of(stack, RawClientHello.withServerName(name));
        assertInstanceOf(SSLProtocolException.class, refused.failure, String.valueOf(refused.failure));
        assertEquals(47, refused.alert, "illegal_parameter, never internal_error");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void aValidServerNameIsServed(Stack stack) throws Exception {
        assertEquals(null, Refusal.of(stack, RawClientHello.withServerName("b.localhost")).failure);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void aTruncatedClientHelloGetsDecodeError(Stack stack) throws Exception {
        Refusal refused = Refusal.of(stack, RawClientHello.truncated(20));
        assertInstanceOf(SSLHandshakeException.class, refused.failure, String.valueOf(refused.failure));
        assertEquals(50, refused.alert, "decode_error");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void anSsl3LegacyVersionGetsProtocolVersion(Stack stack) throws Exception {
        Refusal refused = Refusal.of(stack, RawClientHello.withLegacyVersion(0x0300));
        assertInstanceOf(SSLHandshakeException.class, refused.failure, String.valueOf(refused.failure));
        assertEquals(70, refused.alert, "protocol_version (RFC 8446 appendix D.5)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void aFirstMessageThatIsNotAClientHelloGetsUnexpectedMessage(Stack stack) throws Exception {
        byte[] hello = RawClientHello.hello();
        hello[5] = 2;
        Refusal refused = Refusal.of(stack, hello);
        assertInstanceOf(SSLProtocolException.class, refused.failure, String.valueOf(refused.failure));
        assertEquals(10, refused.alert, "unexpected_message");
    }

    /** RFC 8446 section 5.1: no other record may come between the records of a handshake message. */
    @ParameterizedTest(name = "{0} content type {1}")
    @CsvSource({"SUN,20", "ASYNC,20", "SUN,23", "ASYNC,23"})
    void aRecordOfAnotherTypeInsideTheClientHelloGetsUnexpectedMessage(Stack stack, byte type) throws Exception {
        Refusal refused = Refusal.of(stack, RawClientHello.withRecordInside(new byte[] {type, 3, 3, 0, 1, 1}));
        assertInstanceOf(SSLProtocolException.class, refused.failure, String.valueOf(refused.failure));
        assertEquals(10, refused.alert, "unexpected_message");
    }

    /**
     * The client's fatal alert between the records of its ClientHello ends the handshake. SunJSSE
     * answers it with unexpected_message; AsyncJSSE does not answer a fatal alert (RFC 8446 section
     * 6.2: no further data is sent after one).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void theClientsAlertInsideItsClientHelloEndsTheHandshake(Stack stack) throws Exception {
        Refusal refused = Refusal.of(stack, RawClientHello.withRecordInside(new byte[] {21, 3, 3, 0, 2, 2, 40}));
        assertNotNull(refused.failure, "the handshake failed");
        if (stack == Stack.ASYNC) {
            assertInstanceOf(SSLHandshakeException.class, refused.failure, Failures.text(refused.failure));
            assertTrue(Failures.text(refused.failure).contains("handshake_failure"), Failures.text(refused.failure));
            assertEquals(-1, refused.alert, "a received fatal alert is not answered");
        }
    }

    /**
     * RFC 8446 section 5.1: a ClientHello must end at a record boundary; if it does not, the server
     * sends unexpected_message. SunJSSE fails such a first flight without an alert, which AsyncJSSE
     * does not copy.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void aClientHelloThatDoesNotEndItsRecordIsRefused(Stack stack) throws Exception {
        Refusal refused = Refusal.of(stack, RawClientHello.followedInItsRecordBy(new byte[] {20, 0, 0, 0}));
        assertNotNull(refused.failure, "the handshake failed");
        if (stack == Stack.ASYNC) {
            assertInstanceOf(SSLProtocolException.class, refused.failure, Failures.text(refused.failure));
            assertEquals(10, refused.alert, "unexpected_message");
        }
    }

    /**
     * Record versions: {03,XX} is accepted (RFC 5246 appendix E.1); anything else is not TLS. SunJSSE
     * answers that with internal_error, which AsyncJSSE does not copy: it sends protocol_version.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void oddRecordVersions(Stack stack) throws Exception {
        assertEquals(null, Refusal.of(stack, RawClientHello.withRecordVersion(0x0300)).failure, "{03,00} is served");
        assertEquals(null, Refusal.of(stack, RawClientHello.withRecordVersion(0x03ff)).failure, "{03,FF} is served");
        Refusal refused = Refusal.of(stack, RawClientHello.withRecordVersion(0x0200));
        assertNotNull(refused.failure);
        assertFalse(refused.failure instanceof SSLHandshakeException, Failures.text(refused.failure));
        if (stack == Stack.ASYNC) {
            assertEquals(70, refused.alert, "protocol_version");
        }
    }

    /** What a server made of a first flight: the failure it reported, or null, and the alert it sent, or -1. */
    static final class Refusal {
        final SSLException failure;
        final int alert;

        private Refusal(SSLException failure, int alert) {
            this.failure = failure;
            this.alert = alert;
        }

        static Refusal of(Stack stack, byte[] flight) throws Exception {
            SSLEngine server = Tls.server(serverContext(stack));
            ByteBuffer in = ByteBuffer.wrap(flight);
            ByteBuffer out = ByteBuffer.allocate(1 << 17);
            SSLException failure = null;
            for (int i = 0; i < 20 && failure == null; i++) {
                try {
                    HandshakeStatus hs = server.getHandshakeStatus();
                    if (hs == HandshakeStatus.NEED_TASK) {
                        Runnable task;
                        while ((task = server.getDelegatedTask()) != null) {
                            task.run();
                        }
                    } else if (hs == HandshakeStatus.NEED_WRAP) {
                        server.wrap(EMPTY, out);
                    } else if (in.hasRemaining()) {
                        server.unwrap(in, ByteBuffer.allocate(1 << 17));
                    } else {
                        break;
                    }
                } catch (SSLException e) {
                    failure = e;
                }
            }
            if (failure == null) {
                return new Refusal(null, -1);
            }
            ByteBuffer alert = ByteBuffer.allocate(1 << 17);
            for (int i = 0; i < 3; i++) {
                try {
                    if (server.wrap(EMPTY, alert).bytesProduced() == 0) {
                        break;
                    }
                } catch (SSLException later) {
                    // the failure is already known; what matters is the alert that follows
                }
            }
            alert.flip();
            boolean fatalAlert = alert.remaining() >= 7 && alert.get(0) == 21 && alert.get(5) == 2;
            return new Refusal(failure, fatalAlert ? alert.get(6) : -1);
        }
    }
}
