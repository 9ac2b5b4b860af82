package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Full handshakes of the native server against the JDK's and Bouncy Castle's clients, in memory. */
class NativeHandshakeTest {

    static final TestPki PKI = TestPki.create("Native CA");
    static final NativeContext CONTEXT = new NativeContext(new SecureRandom());
    static final Map<KeyKind, TestPki.Identity> IDS = new EnumMap<>(KeyKind.class);
    static final String[] SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
    static final String[] GROUPS = {"x25519", "secp256r1", "secp384r1", "X25519MLKEM768"};

    static final Map<Peers.Client, SSLContext> CLIENTS = new EnumMap<>(Peers.Client.class);

    /** One client context per implementation, trusting the test CA (contexts are slow to build). */
    static synchronized SSLContext clientContext(Peers.Client kind) throws Exception {
        SSLContext ctx = CLIENTS.get(kind);
        if (ctx == null) {
            ctx = Peers.context(kind, null, PKI.trustManagers());
            CLIENTS.put(kind, ctx);
        }
        return ctx;
    }

    static synchronized TestPki.Identity id(KeyKind kind) {
        return IDS.computeIfAbsent(kind, k -> PKI.issue(k, "localhost", "localhost"));
    }

    static SSLParameters serverParameters() {
        SSLParameters p = new SSLParameters();
        p.setCipherSuites(SUITES.clone());
        p.setProtocols(new String[] {"TLSv1.3"});
        return p;
    }

    static KeyKind kindFor(SignatureScheme scheme) {
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256:
                return KeyKind.EC_P256;
            case ECDSA_SECP384R1_SHA384:
                return KeyKind.EC_P384;
            case ED25519:
                return KeyKind.ED25519;
            case RSA_PSS_RSAE_SHA256:
            case RSA_PSS_RSAE_SHA384:
            case RSA_PSS_RSAE_SHA512:
                return KeyKind.RSA_2048;
            default:
                return KeyKind.RSA_PSS_2048;
        }
    }

    /**
     * Bouncy Castle's client pins suite, group and scheme, so it covers every combination; the JDK's
     * covers every suite and certificate kind, and every classic group where it can pin one (JDK 20
     * and later).
     */
    static Stream<Arguments> matrix() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String suite : SUITES) {
            for (String group : GROUPS) {
                for (SignatureScheme scheme : SignatureScheme.values()) {
                    if (scheme.forCertificateVerify) {
                        b.add(Arguments.of(Peers.Client.BCJSSE, suite, group, kindFor(scheme), scheme.ianaName()));
                    }
                }
            }
            for (String group : Peers.canPinGroup(Peers.Client.SUNJSSE) ? GROUPS : new String[] {null}) {
                if ("X25519MLKEM768".equals(group)) {
                    continue; // the JDK's client (17, 25) does not offer the hybrid; Bouncy Castle's covers it
                }
                for (KeyKind kind : KeyKind.values()) {
                    b.add(Arguments.of(Peers.Client.SUNJSSE, suite, group, kind, null));
                }
            }
        }
        return b.build();
    }

    private static EnginePair handshake(Peers.Client clientKind, String suite, String group, KeyKind kind, String scheme,
                                        SSLParameters serverParams) throws Throwable {
        TestFront server = new TestFront(CONTEXT, serverParams, b -> b.keyManager(Peers.keyManager(id(kind))));
        SSLEngine client = Peers.client(clientContext(clientKind), clientKind, suite, group, scheme);
        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        return pair;
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} {4}")
    @MethodSource("matrix")
    void handshakeAndData(Peers.Client clientKind, String suite, String group, KeyKind kind, String scheme) throws Throwable {
        EnginePair pair = handshake(clientKind, suite, group, kind, scheme, serverParameters());
        SSLEngine server = pair.server;
        assertEquals(1, pair.serverFinished);
        if (group != null) {
            assertEquals(group, ((TestFront) server).engine.keyExchangeGroup(), "the pinned group, without a retry");
        }
        assertEquals("TLSv1.3", server.getSession().getProtocol());
        assertEquals(suite, server.getSession().getCipherSuite());
        assertEquals(suite, pair.client.getSession().getCipherSuite());
        X509Certificate leaf = (X509Certificate) pair.client.getSession().getPeerCertificates()[0];
        assertEquals(id(kind).certificate(), leaf);
        assertEquals(id(kind).certificate(), server.getSession().getLocalCertificates()[0]);
        assertThrows(SSLPeerUnverifiedException.class, () -> server.getSession().getPeerCertificates());
        byte[] hello = ("hello over " + suite).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, pair.send(true, hello));
        assertArrayEquals(hello, pair.send(false, hello));
        byte[] big = new byte[100_000];
        new SecureRandom().nextBytes(big);
        assertArrayEquals(big, pair.send(false, big));
        assertArrayEquals(big, pair.send(true, big));
    }

    @Test
    void helloRetryRequestWhenTheClientsShareIsOfAGroupTheServerLacks() throws Throwable {
        // Bouncy Castle's client sends one share, for its first group; the server has no secp521r1
        EnginePair pair = handshakeWithGroups(new String[] {"secp521r1", "secp256r1"});
        assertEquals(1, pair.serverFinished);
        assertEquals("secp256r1", ((TestFront) pair.server).engine.keyExchangeGroup());
        byte[] hello = "after HRR".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, pair.send(true, hello));
        assertArrayEquals(hello, pair.send(false, hello));
    }

    private static EnginePair handshakeWithGroups(String[] groups) throws Throwable {
        TestFront server = new TestFront(CONTEXT, serverParameters(), b -> b.keyManager(Peers.keyManager(id(KeyKind.EC_P256))));
        SSLContext ctx = clientContext(Peers.Client.BCJSSE);
        SSLEngine client = Peers.client(ctx, Peers.Client.BCJSSE, null, null, null);
        org.bouncycastle.jsse.BCSSLEngine bc = (org.bouncycastle.jsse.BCSSLEngine) client;
        org.bouncycastle.jsse.BCSSLParameters bp = bc.getParameters();
        bp.setNamedGroups(groups);
        bc.setParameters(bp);
        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        return pair;
    }

    @Test
    void noCommonGroupFailsWithHandshakeFailure() throws Throwable {
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> handshakeWithGroups(new String[] {"secp521r1"}));
        assertTrue(e.getMessage().contains("handshake_failure"), e.getMessage());
    }

    @Test
    void sessionReportsWhatSunJsseReports() throws Throwable {
        SSLParameters params = serverParameters();
        params.setSNIMatchers(List.<SNIMatcher>of(SNIHostName.createSNIMatcher("local.*")));
        TestFront server = new TestFront(CONTEXT, params, b -> b.keyManager(Peers.keyManager(id(KeyKind.EC_P256))));
        // a fresh client: the JDK's client leaves out the server name when it tries to resume
        SSLContext ctx = Peers.context(Peers.Client.SUNJSSE, null, PKI.trustManagers());
        SSLEngine client = Peers.client(ctx, Peers.Client.SUNJSSE, null, null, null);
        SSLParameters cp = client.getSSLParameters();
        cp.setServerNames(List.of(new SNIHostName("localhost")));
        client.setSSLParameters(cp);
        assertNull(server.getHandshakeSession());
        new EnginePair(client, server).handshake();
        ExtendedSSLSession s = (ExtendedSSLSession) server.getSession();
        assertEquals(List.of(new SNIHostName("localhost")), s.getRequestedServerNames());
        assertEquals("client.test", s.getPeerHost());
        assertEquals(4433, s.getPeerPort());
        assertEquals(32, s.getId().length);
        assertTrue(s.isValid());
        assertTrue(s.getPacketBufferSize() >= 16384 + 256 + 5);
        assertTrue(s.getApplicationBufferSize() >= 16384);
        assertTrue(List.of(s.getLocalSupportedSignatureAlgorithms()).contains("SHA256withECDSA"));
        assertTrue(List.of(s.getPeerSupportedSignatureAlgorithms()).contains("RSASSA-PSS"));
        assertEquals("", server.getApplicationProtocol());
        assertNull(server.getHandshakeSession());
        assertNotNull(s.getLocalPrincipal());
        assertThrows(UnsupportedOperationException.class, s::getPeerCertificateChain);
        s.putValue("k", "v");
        assertEquals("v", s.getValue("k"));
        assertArrayEquals(new String[] {"k"}, s.getValueNames());
    }

    @Test
    void aServerNameNoMatcherAcceptsFailsWithUnrecognizedName() throws Throwable {
        SSLParameters params = serverParameters();
        params.setSNIMatchers(List.<SNIMatcher>of(SNIHostName.createSNIMatcher("other\\.example")));
        TestFront server = new TestFront(CONTEXT, params, b -> b.keyManager(Peers.keyManager(id(KeyKind.EC_P256))));
        // a fresh client: the JDK's client leaves out the server name when it tries to resume
        SSLContext ctx = Peers.context(Peers.Client.SUNJSSE, null, PKI.trustManagers());
        SSLEngine client = Peers.client(ctx, Peers.Client.SUNJSSE, null, null, null);
        SSLParameters cp = client.getSSLParameters();
        cp.setServerNames(List.of(new SNIHostName("localhost")));
        client.setSSLParameters(cp);
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> new EnginePair(client, server).handshake());
        assertTrue(e.getMessage().contains("unrecognized_name"), e.getMessage());
    }
}
