package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Full handshakes of AsyncJSSE against SunJSSE and BCJSSE, both roles, every key kind, TLS 1.3 and 1.2. */
class HandshakeInteropTest {

    static final TestPki PKI = TestPki.create("Interop CA");
    static final Map<KeyKind, TestPki.Identity> IDS = new EnumMap<>(KeyKind.class);

    static synchronized TestPki.Identity id(KeyKind kind) {
        return IDS.computeIfAbsent(kind, k -> PKI.issue(k, "localhost", "localhost"));
    }

    static Stream<Arguments> matrix() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Stack peer : new Stack[] {Stack.SUN, Stack.BC}) {
            for (boolean asyncIsServer : new boolean[] {true, false}) {
                for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                    for (KeyKind kind : KeyKind.values()) {
                        // plain BCJSSE (JDK crypto only) offers and accepts no RSA-PSS schemes: no RSA in
                        // TLS 1.3 and no RSASSA-PSS keys at all (the limitation AsyncJSSE exists to fix)
                        if (peer == Stack.BC && (kind == KeyKind.RSA_PSS_2048
                                || kind == KeyKind.RSA_2048 && protocol.equals("TLSv1.3")
                                // and as a server it cannot select a JDK Ed25519 key (named "EdDSA")
                                || kind == KeyKind.ED25519 && !asyncIsServer)) {
                            continue;
                        }
                        b.add(Arguments.of(peer, asyncIsServer, protocol, kind));
                    }
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} peer, async server={1}, {2}, {3}")
    @MethodSource("matrix")
    void handshakeAndData(Stack peer, boolean asyncIsServer, String protocol, KeyKind kind) throws Exception {
        TestPki.Identity id = id(kind);
        Stack serverStack = asyncIsServer ? Stack.ASYNC : peer;
        SSLContext serverCtx = Tls.context(serverStack, Tls.keyManagers(serverStack, id), null);
        SSLContext clientCtx = Tls.context(asyncIsServer ? peer : Stack.ASYNC, null, PKI.trustManagers());
        SSLEngine s = Tls.server(serverCtx);
        SSLEngine c = Tls.client(clientCtx);
        Tls.assertAsync(asyncIsServer ? s : c);
        c.setEnabledProtocols(new String[] {protocol});
        Loop loop = new Loop(c, s).handshake();
        assertEquals(protocol, s.getSession().getProtocol());
        assertEquals(protocol, c.getSession().getProtocol());
        String suite = s.getSession().getCipherSuite();
        assertEquals(suite, c.getSession().getCipherSuite());
        if (protocol.equals("TLSv1.3")) {
            assertTrue(suite.matches("TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)"), suite);
        } else {
            String auth = kind == KeyKind.EC_P256 || kind == KeyKind.EC_P384 || kind == KeyKind.ED25519 ? "ECDSA" : "RSA";
            assertTrue(suite.startsWith("TLS_ECDHE_" + auth + "_WITH_"), suite);
        }
        assertEquals(id.certificate(), c.getSession().getPeerCertificates()[0]);
        assertEquals(id.certificate(), ((X509Certificate[]) s.getSession().getLocalCertificates())[0]);
        SSLEngine async = asyncIsServer ? s : c;
        assertEquals(1, asyncIsServer ? loop.serverFinished : loop.clientFinished, "FINISHED reported once by " + async);
        byte[] hello = ("hello " + protocol + " " + kind).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, loop.send(true, hello));
        assertArrayEquals(hello, loop.send(false, hello));
    }

    /** RSA PKCS#1 v1.5 signatures in TLS 1.2: the client offers nothing else for RSA. */
    @ParameterizedTest(name = "async server={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void rsaPkcs1InTls12(boolean asyncIsServer) throws Exception {
        TestPki.Identity id = id(KeyKind.RSA_2048);
        SSLContext serverCtx = Tls.context(asyncIsServer ? Stack.ASYNC : Stack.BC,
                Tls.keyManagers(asyncIsServer ? Stack.ASYNC : Stack.BC, id), null);
        SSLContext clientCtx = Tls.context(asyncIsServer ? Stack.BC : Stack.ASYNC, null, PKI.trustManagers());
        SSLEngine s = Tls.server(serverCtx);
        SSLEngine c = Tls.client(clientCtx);
        SSLEngine bc = asyncIsServer ? c : s;
        BCSSLParameters p = ((BCSSLEngine) bc).getParameters();
        p.setSignatureSchemes(new String[] {"rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384"});
        p.setProtocols(new String[] {"TLSv1.2"});
        ((BCSSLEngine) bc).setParameters(p);
        Loop loop = new Loop(c, s).handshake();
        assertEquals("TLSv1.2", s.getSession().getProtocol());
        assertTrue(s.getSession().getCipherSuite().startsWith("TLS_ECDHE_RSA_"), s.getSession().getCipherSuite());
        byte[] data = "pkcs1".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(data, loop.send(false, data));
    }

    /** Every suite SunJSSE enables by default for TLS 1.3 and ECDHE-ECDSA/RSA in TLS 1.2, ChaCha20 included. */
    @ParameterizedTest(name = "{0} async server={1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "TLS_AES_128_GCM_SHA256,true", "TLS_AES_256_GCM_SHA384,true", "TLS_CHACHA20_POLY1305_SHA256,true",
        "TLS_AES_128_GCM_SHA256,false", "TLS_AES_256_GCM_SHA384,false", "TLS_CHACHA20_POLY1305_SHA256,false",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,true", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,true",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,true", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,false",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,true", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,false",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,false", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,true"})
    void eachSuiteAgainstSunJsse(String suite, boolean asyncIsServer) throws Exception {
        TestPki.Identity id = id(suite.contains("_RSA_") ? KeyKind.RSA_2048 : KeyKind.EC_P256);
        Stack serverStack = asyncIsServer ? Stack.ASYNC : Stack.SUN;
        SSLContext serverCtx = Tls.context(serverStack, Tls.keyManagers(serverStack, id), null);
        SSLContext clientCtx = Tls.context(asyncIsServer ? Stack.SUN : Stack.ASYNC, null, PKI.trustManagers());
        SSLEngine s = Tls.server(serverCtx);
        SSLEngine c = Tls.client(clientCtx);
        Tls.assertAsync(asyncIsServer ? s : c);
        c.setEnabledCipherSuites(new String[] {suite});
        // a TLS 1.2 suite alone: pin TLS 1.2 (see SunJsseParityContractTest.onlyTls12SuitesEnabled)
        c.setEnabledProtocols(new String[] {suite.startsWith("TLS_ECDHE") ? "TLSv1.2" : "TLSv1.3"});
        Loop loop = new Loop(c, s).handshake();
        assertEquals(suite, s.getSession().getCipherSuite());
        assertEquals(suite, c.getSession().getCipherSuite());
        byte[] data = new byte[40_000];
        new java.util.Random(1).nextBytes(data);
        assertArrayEquals(data, loop.send(true, data));
        assertArrayEquals(data, loop.send(false, data));
    }

    /** TLS 1.3 HelloRetryRequest: the BCJSSE peer makes the first ClientHello unusable for key exchange. */
    @ParameterizedTest(name = "async server={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void helloRetryRequest(boolean asyncIsServer) throws Exception {
        TestPki.Identity id = id(KeyKind.EC_P256);
        Stack serverStack = asyncIsServer ? Stack.ASYNC : Stack.BC;
        SSLContext serverCtx = Tls.context(serverStack, Tls.keyManagers(serverStack, id), null);
        SSLContext clientCtx = Tls.context(asyncIsServer ? Stack.BC : Stack.ASYNC, null, PKI.trustManagers());
        SSLEngine s = Tls.server(serverCtx);
        SSLEngine c = Tls.client(clientCtx);
        c.setEnabledProtocols(new String[] {"TLSv1.3"});
        if (asyncIsServer) {
            // the client sends no key share at all: the server must ask again
            BCSSLParameters p = ((BCSSLEngine) c).getParameters();
            p.setEarlyKeyShares(new String[0]);
            ((BCSSLEngine) c).setParameters(p);
        } else {
            // the server insists on its first group, for which the client sent no share
            // (secp256r1 stays enabled: BCJSSE ties ecdsa_secp256r1_sha256 to it)
            BCSSLParameters p = ((BCSSLEngine) s).getParameters();
            p.setNamedGroups(new String[] {"secp384r1", "secp256r1"});
            p.setUseNamedGroupsOrder(true);
            ((BCSSLEngine) s).setParameters(p);
        }
        Loop loop = new Loop(c, s).handshake();
        assertEquals("TLSv1.3", s.getSession().getProtocol());
        assertEquals(1, asyncIsServer ? loop.serverFinished : loop.clientFinished);
        // the retry shows: the client sent a second ClientHello
        SSLEngine bs = Tls.server(serverCtx);
        SSLEngine bc = Tls.client(clientCtx);
        bc.setEnabledProtocols(new String[] {"TLSv1.3"});
        Loop baseline = new Loop(bc, bs).handshake();
        assertTrue(loop.clientWrapped > baseline.clientWrapped + 100,
                "HRR: client sent " + loop.clientWrapped + " bytes, without HRR " + baseline.clientWrapped);
        byte[] hello = "after HRR".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, loop.send(true, hello));
        assertArrayEquals(hello, loop.send(false, hello));
    }

    static Stream<Arguments> keyManagerAlgorithms() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String algorithm : new String[] {"PKIX", "SunX509", "NewSunX509"}) {
            for (KeyKind kind : KeyKind.values()) {
                for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                    b.add(Arguments.of(algorithm, kind, protocol));
                }
            }
        }
        return b.build();
    }

    /** SunJSSE's key managers of every algorithm, server side and (client auth) client side. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("keyManagerAlgorithms")
    void sunKeyManagers(String algorithm, KeyKind kind, String protocol) throws Exception {
        TestPki.Identity serverId = id(kind);
        TestPki.Identity clientId = PKI.issue(kind, "client");
        SSLContext serverCtx = Tls.async(TestPki.keyManagers(algorithm, serverId), PKI.trustManagers());
        SSLContext clientCtx = Tls.async(TestPki.keyManagers(algorithm, clientId), PKI.trustManagers());
        SSLEngine s = Tls.server(serverCtx);
        s.setNeedClientAuth(true);
        SSLEngine c = Tls.client(clientCtx);
        c.setEnabledProtocols(new String[] {protocol});
        new Loop(c, s).handshake();
        assertEquals(protocol, s.getSession().getProtocol());
        assertEquals(clientId.certificate(), s.getSession().getPeerCertificates()[0]);
        assertEquals(serverId.certificate(), c.getSession().getPeerCertificates()[0]);
    }

    @Test
    void defaultContextIsAsync() throws Exception {
        SSLContext ctx = SSLContext.getInstance("Default", Tls.ASYNC_PROVIDER);
        assertEquals("AsyncJSSE", ctx.getProvider().getName());
        SSLEngine e = ctx.createSSLEngine();
        Tls.assertAsync(ctx, e);
        for (String p : new String[] {"TLSv1.2", "TLSv1.3"}) {
            SSLContext v = SSLContext.getInstance(p, Tls.ASYNC_PROVIDER);
            v.init(null, null, null);
            Tls.assertAsync(v, v.createSSLEngine());
        }
    }
}
