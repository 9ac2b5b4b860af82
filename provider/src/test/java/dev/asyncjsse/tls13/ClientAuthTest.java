package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.ForwardingKeyManager;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Client authentication (RFC 8446, sections 4.3.2 and 4.4.2.4) with the JDK's and Bouncy Castle's clients. */
class ClientAuthTest {

    static final TestPki PKI = NativeHandshakeTest.PKI;

    private static TestFront server(boolean need, RecordingTrustManager tm) {
        SSLParameters p = NativeHandshakeTest.serverParameters();
        if (need) {
            p.setNeedClientAuth(true);
        } else {
            p.setWantClientAuth(true);
        }
        return new TestFront(NativeHandshakeTest.CONTEXT, p,
                b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))).trustManager(tm));
    }

    private static RecordingTrustManager trust() {
        return new RecordingTrustManager((X509ExtendedTrustManager) PKI.trustManagers()[0]);
    }

    private static SSLEngine client(Peers.Client kind, KeyManager[] km) throws Throwable {
        SSLContext ctx = Peers.context(kind, km, PKI.trustManagers());
        return Peers.client(ctx, kind, null, null, null);
    }

    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void requiredCertificateOfEveryKindFromTheJdksClient(KeyKind kind) throws Throwable {
        TestPki.Identity clientId = PKI.issue(kind, "client");
        RecordingTrustManager tm = trust();
        TestFront server = server(true, tm);
        EnginePair pair = new EnginePair(client(Peers.Client.SUNJSSE, TestPki.keyManagers(clientId)), server);
        pair.handshake();
        Certificate[] peer = server.getSession().getPeerCertificates();
        assertEquals(clientId.certificate(), peer[0]);
        assertEquals(1, tm.engines.size());
        assertSame(server, tm.engines.get(0), "the trust manager is handed the application's engine");
        assertEquals(new KeyFacts(clientId.certificate().getPublicKey()).algorithm, tm.authTypes.get(0));
        byte[] hello = "authenticated".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, pair.send(true, hello));
    }

    @Test
    void requiredCertificateFromBouncyCastlesClient() throws Throwable {
        TestPki.Identity clientId = PKI.issue(KeyKind.EC_P256, "client");
        TestFront server = server(true, trust());
        new EnginePair(client(Peers.Client.BCJSSE, Peers.clientKeyManagers(Peers.Client.BCJSSE, clientId)), server).handshake();
        assertEquals(clientId.certificate(), server.getSession().getPeerCertificates()[0]);
    }

    @Test
    void wantedCertificateMayBeAbsent() throws Throwable {
        RecordingTrustManager tm = trust();
        TestFront server = server(false, tm);
        EnginePair pair = new EnginePair(client(Peers.Client.SUNJSSE, null), server);
        pair.handshake();
        assertThrows(SSLPeerUnverifiedException.class, () -> server.getSession().getPeerCertificates());
        assertTrue(tm.engines.isEmpty());
    }

    @Test
    void requiredCertificateAbsentIsCertificateRequired() throws Throwable {
        TestFront server = server(true, trust());
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> new EnginePair(client(Peers.Client.SUNJSSE, null), server).handshake());
        assertTrue(e.getMessage().contains("certificate_required"), e.getMessage());
    }

    @Test
    void certificateOfAnotherCaIsRefused() throws Throwable {
        TestPki.Identity stranger = TestPki.create("Stranger CA").issue(KeyKind.EC_P256, "client");
        TestFront server = server(true, trust());
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> new EnginePair(client(Peers.Client.SUNJSSE, TestPki.keyManagers(stranger)), server).handshake());
        assertTrue(e.getMessage().contains("certificate_unknown"), e.getMessage());
    }

    @Test
    void certificateVerifyByTheWrongKeyIsDecryptError() throws Throwable {
        TestPki.Identity clientId = PKI.issue(KeyKind.EC_P256, "client");
        PrivateKey otherKey = PKI.issue(KeyKind.EC_P256, "other").key;
        X509ExtendedKeyManager honest = (X509ExtendedKeyManager) TestPki.keyManagers(clientId)[0];
        KeyManager liar = new ForwardingKeyManager(honest) {
            @Override
            public PrivateKey getPrivateKey(String alias) {
                return otherKey;
            }
        };
        TestFront server = server(true, trust());
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> new EnginePair(client(Peers.Client.SUNJSSE, new KeyManager[] {liar}), server).handshake());
        assertTrue(e.getMessage().contains("decrypt_error"), e.getMessage());
    }
}
