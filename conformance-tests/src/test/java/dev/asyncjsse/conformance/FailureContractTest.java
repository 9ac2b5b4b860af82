package dev.asyncjsse.conformance;

import static dev.asyncjsse.conformance.Failures.assertMessageSaysWhy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Failure messages where Bouncy Castle on its own says less than SunJSSE: AsyncJSSE's exception must
 * name the cause (the host name, the expiry, the missing trust anchor, the missing client
 * certificate), not only the alert.
 */
class FailureContractTest {

    static final TestPki PKI = HandshakeFailureTest.PKI;

    /** The exception's own message (what a log shows) must say why, not only "certificate_unknown(46)". */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void clientMessageSaysWhyForWrongHost(String protocol) throws Exception {
        Loop bad = HandshakeFailureTest.pair(false, protocol, HandshakeFailureTest.SERVER, null, null, PKI, "wrong.example");
        SSLParameters p = bad.client.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        bad.client.setSSLParameters(p);
        bad.run();
        assertMessageSaysWhy(bad.clientError, "AsyncJSSE client", "wrong.example|host name|subject alternative");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void clientMessageSaysWhyForExpiredCertificate(String protocol) throws Exception {
        Instant now = Instant.now();
        TestPki.Identity expired = PKI.issue(KeyKind.EC_P256, "localhost", now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1)), "localhost");
        Loop loop = HandshakeFailureTest.pair(false, protocol, expired, null, null, PKI, "localhost");
        loop.run();
        assertMessageSaysWhy(loop.clientError, "AsyncJSSE client", "expired|validity|NotAfter");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void clientMessageSaysWhyForUntrustedCertificate(String protocol) throws Exception {
        Loop loop = HandshakeFailureTest.pair(false, protocol, HandshakeFailureTest.SERVER, null, null,
                HandshakeFailureTest.OTHER, "localhost");
        loop.run();
        assertMessageSaysWhy(loop.clientError, "AsyncJSSE client", "trust|path|certification");
    }

    /** SunJSSE: "Empty client certificate chain"; BCJSSE 1.2 says only handshake_failure(40). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void serverMessageSaysWhyForMissingClientCertificate(String protocol) throws Exception {
        Loop loop = HandshakeFailureTest.pair(true, protocol, HandshakeFailureTest.SERVER, HandshakeFailureTest.PKI,
                null, PKI, "localhost");
        loop.server.setNeedClientAuth(true);
        loop.run();
        assertMessageSaysWhy(loop.serverError, "AsyncJSSE server", "certificate");
    }

    /**
     * A client rejected by the server (missing certificate) reports the same exception class as a
     * SunJSSE client in the same place: SSLHandshakeException when the alert ends the handshake.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void rejectedClientExceptionTypeLikeSunJsse(String protocol) throws Exception {
        Loop sun = sunPair(protocol);
        sun.server.setNeedClientAuth(true);
        sun.run();
        assertNotNull(sun.clientError, "SunJSSE client saw the alert");
        Loop async = HandshakeFailureTest.pair(false, protocol, HandshakeFailureTest.SERVER, null, null, PKI, "localhost");
        async.server.setNeedClientAuth(true);
        async.run();
        assertNotNull(async.clientError, "AsyncJSSE client saw the alert");
        assertEquals(sun.clientError.getClass(), async.clientError.getClass(),
                "SunJSSE: " + Failures.text(sun.clientError) + " AsyncJSSE: " + Failures.text(async.clientError));
    }

    private static Loop sunPair(String protocol) throws Exception {
        SSLContext s = Tls.context(Tls.Stack.SUN, TestPki.keyManagers(HandshakeFailureTest.SERVER), PKI.trustManagers());
        SSLContext c = Tls.context(Tls.Stack.SUN, null, PKI.trustManagers());
        SSLEngine se = Tls.server(s);
        SSLEngine ce = Tls.client(c);
        ce.setEnabledProtocols(new String[] {protocol});
        return new Loop(ce, se);
    }

    /** ExtendedSSLSession.getRequestedServerNames() on the established session (SunJSSE supports it). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void requestedServerNamesOnSession(String protocol) throws Exception {
        Loop loop = HandshakeFailureTest.pair(true, protocol, HandshakeFailureTest.SERVER, null, null, PKI, "localhost");
        SSLParameters cp = loop.client.getSSLParameters();
        cp.setServerNames(List.of(new SNIHostName("api.example.com")));
        loop.client.setSSLParameters(cp);
        loop.handshake();
        assertEquals(List.of(new SNIHostName("api.example.com")),
                ((ExtendedSSLSession) loop.server.getSession()).getRequestedServerNames());
    }
}
