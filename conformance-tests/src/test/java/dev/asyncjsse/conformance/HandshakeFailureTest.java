package dev.asyncjsse.conformance;

import static dev.asyncjsse.conformance.Failures.assertFailed;
import static dev.asyncjsse.conformance.Failures.assertHandshakeFailure;
import static dev.asyncjsse.conformance.Failures.assertPeerSawAlert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.StandardConstants;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Client authentication, SNI, ALPN, hostname verification and the handshake failures, with AsyncJSSE
 * in each role against SunJSSE. Every failure must be an SSLHandshakeException that says why, and
 * the peer must receive an alert.
 */
class HandshakeFailureTest {

    static final TestPki PKI = TestPki.create("Failure CA");
    static final TestPki OTHER = TestPki.create("Untrusted CA");
    static final TestPki.Identity SERVER = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
    static final TestPki.Identity CLIENT = PKI.issue(KeyKind.EC_P256, "client");
    static final TestPki.Identity UNTRUSTED_CLIENT = OTHER.issue(KeyKind.EC_P256, "intruder");

    /** A client/server pair: AsyncJSSE on one side, SunJSSE on the other. */
    static Loop pair(boolean asyncIsServer, String protocol, TestPki.Identity serverId, TestPki serverTrusts,
            TestPki.Identity clientId, TestPki clientTrusts, String host) throws Exception {
        Stack serverStack = asyncIsServer ? Stack.ASYNC : Stack.SUN;
        Stack clientStack = asyncIsServer ? Stack.SUN : Stack.ASYNC;
        SSLContext sctx = Tls.context(serverStack, serverId == null ? null : TestPki.keyManagers(serverId),
                serverTrusts == null ? null : serverTrusts.trustManagers());
        SSLContext cctx = Tls.context(clientStack, clientId == null ? null : TestPki.keyManagers(clientId),
                clientTrusts == null ? null : clientTrusts.trustManagers());
        SSLEngine s = Tls.server(sctx);
        SSLEngine c = Tls.client(cctx, host, 443);
        Tls.assertAsync(asyncIsServer ? s : c);
        if (protocol != null) {
            c.setEnabledProtocols(new String[] {protocol});
        }
        return new Loop(c, s);
    }

    static Loop pair(boolean asyncIsServer, String protocol) throws Exception {
        return pair(asyncIsServer, protocol, SERVER, PKI, CLIENT, PKI, "localhost");
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void needClientAuthAccepted(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol);
        loop.server.setNeedClientAuth(true);
        loop.handshake();
        assertEquals(CLIENT.certificate(), loop.server.getSession().getPeerCertificates()[0]);
        assertEquals(CLIENT.certificate(), loop.client.getSession().getLocalCertificates()[0]);
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void wantClientAuthWithoutCertificate(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, PKI, null, PKI, "localhost");
        loop.server.setWantClientAuth(true);
        loop.handshake();
        assertThrows(SSLPeerUnverifiedException.class, () -> loop.server.getSession().getPeerCertificates());
        assertEquals(protocol, loop.server.getSession().getProtocol());
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void wantClientAuthWithCertificate(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol);
        loop.server.setWantClientAuth(true);
        loop.handshake();
        assertEquals(CLIENT.certificate(), loop.server.getSession().getPeerCertificates()[0]);
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void needClientAuthMissingCertificateRejected(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, PKI, null, PKI, "localhost");
        loop.server.setNeedClientAuth(true);
        loop.run();
        if (asyncIsServer) {
            // BCJSSE says only "handshake_failure(40)" in TLS 1.2; the stricter check is in FailureContractTest
            assertHandshakeFailure(loop.serverError, "AsyncJSSE server", "certificate|authenticat|handshake_failure");
            assertPeerSawAlert(loop.clientError, "SunJSSE client", "certificate|handshake");
        } else {
            assertHandshakeFailure(loop.serverError, "SunJSSE server", "certificate|authenticat");
            // TLS 1.3: the client has finished its handshake when the alert arrives (see FailureContractTest)
            assertPeerSawAlert(loop.clientError, "AsyncJSSE client", "certificate|handshake|alert");
        }
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void untrustedClientCertificateRejected(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, PKI, UNTRUSTED_CLIENT, PKI, "localhost");
        loop.server.setNeedClientAuth(true);
        loop.run();
        if (asyncIsServer) {
            // TLS 1.2: SunJSSE's client sends no certificate that the server's CA list rules out (see above)
            assertHandshakeFailure(loop.serverError, "AsyncJSSE server", "certif|trust|path|handshake_failure");
            assertPeerSawAlert(loop.clientError, "SunJSSE client", "certificate|alert");
        } else {
            assertHandshakeFailure(loop.serverError, "SunJSSE server", "certif|trust|path");
            assertPeerSawAlert(loop.clientError, "AsyncJSSE client", "certificate|alert");
        }
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void untrustedServerCertificateRejected(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, null, null, OTHER, "localhost");
        loop.run();
        if (asyncIsServer) {
            assertHandshakeFailure(loop.clientError, "SunJSSE client", "certif|trust|path");
            assertHandshakeFailure(loop.serverError, "AsyncJSSE server", "certificate_unknown|certificate|alert");
        } else {
            assertFailed(loop, false, "certif|trust|path", "certificate");
        }
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void expiredServerCertificateRejected(boolean asyncIsServer, String protocol) throws Exception {
        Instant now = Instant.now();
        TestPki.Identity expired = PKI.issue(KeyKind.EC_P256, "localhost", now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1)), "localhost");
        Loop loop = pair(asyncIsServer, protocol, expired, null, null, PKI, "localhost");
        loop.run();
        if (asyncIsServer) {
            assertHandshakeFailure(loop.clientError, "SunJSSE client", "expir|valid|certif");
            assertHandshakeFailure(loop.serverError, "AsyncJSSE server", "certificate|alert");
        } else {
            assertFailed(loop, false, "expir|validity|NotAfter", "certificate");
        }
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void hostnameVerification(boolean asyncIsServer, String protocol) throws Exception {
        Loop good = pair(asyncIsServer, protocol, SERVER, null, null, PKI, "localhost");
        SSLParameters p = good.client.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        good.client.setSSLParameters(p);
        good.handshake();

        Loop bad = pair(asyncIsServer, protocol, SERVER, null, null, PKI, "wrong.example");
        p = bad.client.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        bad.client.setSSLParameters(p);
        bad.run();
        String why = "wrong.example|host|name|subject";
        if (asyncIsServer) {
            assertHandshakeFailure(bad.clientError, "SunJSSE client", why);
            assertHandshakeFailure(bad.serverError, "AsyncJSSE server", "certificate|alert");
        } else {
            assertFailed(bad, false, why, "certificate");
        }
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void sniSeenByServer(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, null, null, PKI, "localhost");
        List<SNIServerName> seen = new CopyOnWriteArrayList<>();
        SSLParameters sp = loop.server.getSSLParameters();
        sp.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
            @Override
            public boolean matches(SNIServerName name) {
                seen.add(name);
                return true;
            }
        }));
        loop.server.setSSLParameters(sp);
        SSLParameters cp = loop.client.getSSLParameters();
        cp.setServerNames(List.of(new SNIHostName("api.example.com")));
        loop.client.setSSLParameters(cp);
        loop.handshake();
        assertEquals(List.of(new SNIHostName("api.example.com")), seen);
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void sniMatcherRejects(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, null, null, PKI, "localhost");
        SSLParameters sp = loop.server.getSSLParameters();
        sp.setSNIMatchers(List.of(SNIHostName.createSNIMatcher("only\\.example\\.com")));
        loop.server.setSSLParameters(sp);
        SSLParameters cp = loop.client.getSSLParameters();
        cp.setServerNames(List.of(new SNIHostName("other.example.com")));
        loop.client.setSSLParameters(cp);
        loop.run();
        if (asyncIsServer) {
            assertFailed(loop, true, "unrecognized_name|server name|SNI", "unrecognized_name");
        } else {
            assertHandshakeFailure(loop.serverError, "SunJSSE server", "unrecognized|server name");
            assertHandshakeFailure(loop.clientError, "AsyncJSSE client", "unrecognized_name");
        }
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void alpnAgreement(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, null, null, PKI, "localhost");
        SSLParameters sp = loop.server.getSSLParameters();
        sp.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        loop.server.setSSLParameters(sp);
        SSLParameters cp = loop.client.getSSLParameters();
        cp.setApplicationProtocols(new String[] {"http/1.1", "spdy/3"});
        loop.client.setSSLParameters(cp);
        loop.handshake();
        assertEquals("http/1.1", loop.server.getApplicationProtocol());
        assertEquals("http/1.1", loop.client.getApplicationProtocol());
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void alpnNoOverlap(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, null, null, PKI, "localhost");
        SSLParameters sp = loop.server.getSSLParameters();
        sp.setApplicationProtocols(new String[] {"h2"});
        loop.server.setSSLParameters(sp);
        SSLParameters cp = loop.client.getSSLParameters();
        cp.setApplicationProtocols(new String[] {"spdy/3"});
        loop.client.setSSLParameters(cp);
        loop.run();
        if (asyncIsServer) {
            assertFailed(loop, true, "application|ALPN", "no_application_protocol");
        } else {
            assertHandshakeFailure(loop.serverError, "SunJSSE server", "application");
            assertHandshakeFailure(loop.clientError, "AsyncJSSE client", "no_application_protocol");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void alpnSelectorRejects(String protocol) throws Exception {
        Loop loop = pair(true, protocol, SERVER, null, null, PKI, "localhost");
        loop.server.setHandshakeApplicationProtocolSelector((engine, offered) -> {
            Tls.assertAsync(engine);
            return null;
        });
        SSLParameters cp = loop.client.getSSLParameters();
        cp.setApplicationProtocols(new String[] {"h2"});
        loop.client.setSSLParameters(cp);
        loop.run();
        assertFailed(loop, true, "application|ALPN", "no_application_protocol");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void alpnSelectorChooses(String protocol) throws Exception {
        Loop loop = pair(true, protocol, SERVER, null, null, PKI, "localhost");
        loop.server.setHandshakeApplicationProtocolSelector((engine, offered) -> {
            Tls.assertAsync(engine);
            return offered.contains("b") ? "b" : null;
        });
        SSLParameters cp = loop.client.getSSLParameters();
        cp.setApplicationProtocols(new String[] {"a", "b"});
        loop.client.setSSLParameters(cp);
        loop.handshake();
        assertEquals("b", loop.server.getApplicationProtocol());
        assertEquals("b", loop.client.getApplicationProtocol());
    }

    @ParameterizedTest(name = "async server={0}")
    @CsvSource({"true", "false"})
    void noAlpnMeansEmptyProtocol(boolean asyncIsServer) throws Exception {
        Loop loop = pair(asyncIsServer, null, SERVER, null, null, PKI, "localhost");
        assertNull(loop.server.getApplicationProtocol(), "before the handshake");
        loop.handshake();
        assertEquals("", loop.server.getApplicationProtocol());
        assertEquals("", loop.client.getApplicationProtocol());
    }

    @ParameterizedTest(name = "async server={0}")
    @CsvSource({"true", "false"})
    void noCommonProtocol(boolean asyncIsServer) throws Exception {
        Loop loop = pair(asyncIsServer, "TLSv1.3", SERVER, null, null, PKI, "localhost");
        loop.server.setEnabledProtocols(new String[] {"TLSv1.2"});
        loop.run();
        if (asyncIsServer) {
            assertFailed(loop, true, "protocol", "protocol_version|protocol");
        } else {
            assertHandshakeFailure(loop.serverError, "SunJSSE server", "protocol");
            assertHandshakeFailure(loop.clientError, "AsyncJSSE client", "protocol_version");
        }
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "false,TLSv1.3", "true,TLSv1.2", "false,TLSv1.2"})
    void noCommonCipherSuite(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = pair(asyncIsServer, protocol, SERVER, null, null, PKI, "localhost");
        boolean v13 = protocol.equals("TLSv1.3");
        loop.client.setEnabledCipherSuites(new String[] {v13 ? "TLS_AES_128_GCM_SHA256" : "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        loop.server.setEnabledCipherSuites(new String[] {v13 ? "TLS_AES_256_GCM_SHA384" : "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"});
        loop.run();
        if (asyncIsServer) {
            assertFailed(loop, true, "cipher", "handshake_failure");
        } else {
            assertHandshakeFailure(loop.serverError, "SunJSSE server", "cipher");
            assertHandshakeFailure(loop.clientError, "AsyncJSSE client", "handshake_failure");
        }
    }
}
