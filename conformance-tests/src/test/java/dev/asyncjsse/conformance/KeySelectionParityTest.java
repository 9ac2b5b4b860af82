package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.SystemTools;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which certificate a server or client sends and accepts, compared with SunJSSE on the same inputs:
 * RSASSA-PSS certificates with the JDK's {@code PKIX} key and trust managers, TLS 1.2 server
 * certificates on the curves the client offers (RFC 8422 section 5.1), and TLS 1.2 RSA key exchange
 * with each of the JDK's key managers. Each scenario runs on both stacks; the openssl cases need the
 * {@code openssl} command.
 */
class KeySelectionParityTest {

    /** Self-signed, so each certificate's own signature is RSASSA-PSS, which trust and key managers check. */
    static final TestPki.Identity PSS_SERVER = TestPki.selfSigned(KeyKind.RSA_PSS_2048, "localhost", "localhost");
    static final TestPki.Identity PSS_CLIENT = TestPki.selfSigned(KeyKind.RSA_PSS_2048, "pss client");
    static final TestPki PKI = TestPki.create("Key Selection CA");
    static final TestPki.Identity P256 = PKI.issue(KeyKind.EC_P256, "p256", "localhost");
    static final TestPki.Identity P384 = PKI.issue(KeyKind.EC_P384, "p384", "localhost");
    static final TestPki.Identity RSA = PKI.issue(KeyKind.RSA_2048, "rsa", "localhost");

    @TempDir
    static Path dir;
    static Path caFile;

    @BeforeAll
    static void writeCa() throws Exception {
        caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, OpenSslInteropTest.pem("CERTIFICATE", PKI.caCertificate().getEncoded()));
    }

    // ------------------------------------------------------------------ RSASSA-PSS certificates

    /**
     * Server and client authenticate with RSASSA-PSS certificates ({@code rsa_pss_pss_*}), with the
     * JDK's PKIX key and trust managers on both sides. Those managers build their constraints from the
     * handshake session's signature algorithm names, so the session must name the schemes as SunJSSE
     * does ({@code RSASSA-PSS}), or they refuse every certificate signed with it.
     */
    @ParameterizedTest(name = "{0}: server {1}, client {2}")
    @CsvSource({"TLSv1.3,SUN,SUN", "TLSv1.3,ASYNC,SUN", "TLSv1.3,SUN,ASYNC", "TLSv1.3,ASYNC,ASYNC",
        "TLSv1.2,SUN,SUN", "TLSv1.2,ASYNC,SUN", "TLSv1.2,SUN,ASYNC", "TLSv1.2,ASYNC,ASYNC"})
    void pssCertificatesAuthenticateBothSides(String protocol, Stack serverStack, Stack clientStack) throws Exception {
        TrustManager[] trust = TestPki.trustManagers(PSS_SERVER.certificate(), PSS_CLIENT.certificate());
        SSLEngine server = Tls.server(Tls.context(serverStack, TestPki.keyManagers(PSS_SERVER), trust));
        server.setNeedClientAuth(true);
        SSLEngine client = Tls.client(Tls.context(clientStack, TestPki.keyManagers(PSS_CLIENT), trust));
        client.setEnabledProtocols(new String[] {protocol});
        SSLParameters parameters = client.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        client.setSSLParameters(parameters);

        new Loop(client, server).handshake();

        assertEquals(protocol, server.getSession().getProtocol());
        assertEquals(PSS_SERVER.certificate(), client.getSession().getPeerCertificates()[0]);
        assertEquals(PSS_CLIENT.certificate(), server.getSession().getPeerCertificates()[0]);
        assertEquals("RSASSA-PSS", server.getSession().getPeerCertificates()[0].getPublicKey().getAlgorithm());
    }

    /**
     * The server's handshake session, as a trust manager reads it, names the client's signature
     * schemes exactly as SunJSSE's does, in the client's order: one SunJSSE client, both servers.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void handshakeSessionNamesSignatureAlgorithmsAsSunJsse(String protocol) throws Exception {
        List<String> sun = peerAlgorithmsSeenByServer(Stack.SUN, protocol);
        List<String> async = peerAlgorithmsSeenByServer(Stack.ASYNC, protocol);
        assertTrue(sun.contains("RSASSA-PSS"), "SunJSSE's names: " + sun);
        assertEquals(sun, async);
    }

    private static List<String> peerAlgorithmsSeenByServer(Stack serverStack, String protocol) throws Exception {
        TestPki.Identity clientId = PKI.issue(KeyKind.EC_P256, "client");
        RecordingTrustManager recording = new RecordingTrustManager(PKI.trustManagers()[0]);
        SSLEngine server = Tls.server(Tls.context(serverStack, TestPki.keyManagers(P256), new TrustManager[] {recording}));
        server.setNeedClientAuth(true);
        SSLEngine client = Tls.client(Tls.context(Stack.SUN, TestPki.keyManagers(clientId), PKI.trustManagers()));
        client.setEnabledProtocols(new String[] {protocol});
        new Loop(client, server).handshake();
        assertFalse(recording.peerAlgorithms.isEmpty(), "the trust manager was not called");
        return recording.peerAlgorithms;
    }

    /**
     * Passes every check to the JDK's trust manager and records what it was handed: the
     * {@code authType} of each call ("client " or "server " and the type) and, for a client's chain, the
     * peer's signature algorithms from the handshake session, which answers only during the handshake
     * (Bouncy Castle's throws afterwards).
     */
    static final class RecordingTrustManager extends X509ExtendedTrustManager {
        final List<String> peerAlgorithms = new CopyOnWriteArrayList<>();
        final List<String> authTypes = new CopyOnWriteArrayList<>();
        private final X509ExtendedTrustManager delegate;

        RecordingTrustManager(TrustManager delegate) {
            this.delegate = (X509ExtendedTrustManager) delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            ExtendedSSLSession session = (ExtendedSSLSession) engine.getHandshakeSession();
            peerAlgorithms.addAll(Arrays.asList(session.getPeerSupportedSignatureAlgorithms()));
            authTypes.add("client " + authType);
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            authTypes.add("server " + authType);
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            authTypes.add("client " + authType);
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            authTypes.add("server " + authType);
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            authTypes.add("client " + authType);
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            authTypes.add("server " + authType);
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }

        /** This recorder as a plain {@code X509TrustManager}, which both stacks call without an engine. */
        X509TrustManager plain() {
            RecordingTrustManager recorder = this;
            return new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    recorder.checkClientTrusted(chain, authType);
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    recorder.checkServerTrusted(chain, authType);
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return recorder.getAcceptedIssuers();
                }
            };
        }
    }

    // ------------------------------------------------------------------ the authType trust managers are handed

    /**
     * A server checking the client's certificate hands its trust manager the authentication type SunJSSE
     * hands it: the key algorithm of the client's certificate ({@code EC}, {@code RSA},
     * {@code RSASSA-PSS}), where Bouncy Castle passes {@code TLS-client-auth}. Applications' trust
     * managers branch on it. The same for extended and plain trust managers.
     */
    @ParameterizedTest(name = "{0}, client key {1}, plain trust manager: {2}")
    @CsvSource({"TLSv1.3,EC_P256,false", "TLSv1.3,RSA_2048,false", "TLSv1.3,RSA_PSS_2048,false",
        "TLSv1.2,EC_P256,false", "TLSv1.2,RSA_2048,false", "TLSv1.2,RSA_PSS_2048,false",
        "TLSv1.3,EC_P256,true", "TLSv1.2,RSA_2048,true"})
    void serverHandsItsTrustManagerTheClientsAuthTypeAsSunJsse(String protocol, KeyKind clientKey, boolean plain) throws Exception {
        TestPki.Identity clientId = PKI.issue(clientKey, "client");
        List<String> seen = new ArrayList<>();
        for (Stack serverStack : new Stack[] {Stack.SUN, Stack.ASYNC}) {
            RecordingTrustManager recording = new RecordingTrustManager(PKI.trustManagers()[0]);
            TrustManager trust = plain ? recording.plain() : recording;
            SSLEngine server = Tls.server(Tls.context(serverStack, TestPki.keyManagers(P256), new TrustManager[] {trust}));
            server.setNeedClientAuth(true);
            SSLEngine client = Tls.client(Tls.context(Stack.SUN, TestPki.keyManagers(clientId), PKI.trustManagers()));
            client.setEnabledProtocols(new String[] {protocol});
            new Loop(client, server).handshake();
            seen.add(serverStack + " " + recording.authTypes);
        }
        String expected = "[client " + (clientKey == KeyKind.EC_P256 ? "EC" : clientKey == KeyKind.RSA_2048 ? "RSA" : "RSASSA-PSS") + "]";
        assertEquals(List.of("SUN " + expected, "ASYNC " + expected), seen);
    }

    /**
     * A client checking the server's certificate hands its trust manager the key exchange as SunJSSE
     * does: {@code UNKNOWN} in TLS 1.3, {@code ECDHE_ECDSA} or {@code ECDHE_RSA} in TLS 1.2. (TLS 1.2
     * RSA key exchange, where Bouncy Castle says {@code KE:RSA} and the JDK's trust manager wants
     * {@code RSA}, is compared in {@link #rsaKeyExchangeWorksWithEachJdkKeyManager}.)
     */
    @ParameterizedTest(name = "{0}, server key {1}")
    @CsvSource({"TLSv1.3,EC_P256,UNKNOWN", "TLSv1.3,RSA_2048,UNKNOWN", "TLSv1.2,EC_P256,ECDHE_ECDSA", "TLSv1.2,RSA_2048,ECDHE_RSA"})
    void clientHandsItsTrustManagerTheKeyExchangeAsSunJsse(String protocol, KeyKind serverKey, String authType) throws Exception {
        TestPki.Identity serverId = serverKey == KeyKind.EC_P256 ? P256 : RSA;
        List<String> seen = new ArrayList<>();
        for (Stack clientStack : new Stack[] {Stack.SUN, Stack.ASYNC}) {
            RecordingTrustManager recording = new RecordingTrustManager(PKI.trustManagers()[0]);
            SSLEngine server = Tls.server(Tls.context(Stack.SUN, TestPki.keyManagers(serverId), null));
            SSLEngine client = Tls.client(Tls.context(clientStack, null, new TrustManager[] {recording}));
            client.setEnabledProtocols(new String[] {protocol});
            new Loop(client, server).handshake();
            seen.add(clientStack + " " + recording.authTypes);
        }
        assertEquals(List.of("SUN [server " + authType + "]", "ASYNC [server " + authType + "]"), seen);
    }

    // ------------------------------------------------------------------ TLS 1.2 certificates and the client's curves

    private static OpenSslClient.Outcome tls12(SSLContext serverContext, String groups) throws Exception {
        SystemTools.command("openssl", "openssl");
        SSLEngine server = Tls.server(serverContext);
        return OpenSslClient.handshake(server, "-tls1_2", "-groups", groups, "-CAfile", caFile.toString(),
                "-verify_return_error", "-servername", "localhost");
    }

    /**
     * Only a P-256 certificate, and a client whose {@code supported_groups} lacks P-256: the server
     * cannot send that certificate (RFC 8422 section 5.3), has nothing else, and fails the handshake
     * with {@code handshake_failure}, as SunJSSE does.
     */
    @ParameterizedTest(name = "{0}, {1} key manager, client groups {2}")
    @CsvSource({"SUN,PKIX,X25519", "ASYNC,PKIX,X25519", "SUN,SunX509,X25519", "ASYNC,SunX509,X25519",
        "SUN,PKIX,P-384", "ASYNC,PKIX,P-384", "ASYNC,BC,X25519", "ASYNC,BC,P-384"})
    void p256CertificateIsNotSentToAClientWithoutP256(Stack stack, String keyManager, String groups) throws Exception {
        OpenSslClient.Outcome outcome = tls12(context(stack, keyManager, P256), groups);
        assertInstanceOf(SSLHandshakeException.class, outcome.serverError, outcome::toString);
        assertTrue(outcome.clientOutput.contains("alert handshake failure"), outcome::toString);
    }

    /** The same server and a client that offers P-256 among others: the handshake works, so the groups made the difference. */
    @ParameterizedTest(name = "{0}, {1} key manager")
    @CsvSource({"SUN,PKIX", "ASYNC,PKIX", "ASYNC,SunX509", "ASYNC,BC"})
    void p256CertificateIsSentWhenTheClientOffersP256(Stack stack, String keyManager) throws Exception {
        OpenSslClient.Outcome outcome = tls12(context(stack, keyManager, P256), "X25519:P-256");
        assertNull(outcome.serverError, outcome::toString);
        assertEquals(P256.certificate(), outcome.serverSession.getLocalCertificates()[0]);
    }

    /**
     * A P-256 ECDSA and an RSA certificate, and a client with only X25519: the server passes over the
     * ECDSA suites and authenticates with RSA (ECDHE_RSA over X25519), as SunJSSE does.
     */
    @ParameterizedTest(name = "{0}, {1} key manager")
    @CsvSource({"SUN,PKIX", "ASYNC,PKIX", "SUN,SunX509", "ASYNC,SunX509", "ASYNC,BC"})
    void rsaCertificateServesAClientWithoutTheEcCurve(Stack stack, String keyManager) throws Exception {
        OpenSslClient.Outcome outcome = tls12(context(stack, keyManager, P256, RSA), "X25519");
        assertNull(outcome.serverError, outcome::toString);
        assertTrue(outcome.serverSession.getCipherSuite().startsWith("TLS_ECDHE_RSA_"), outcome::toString);
        assertEquals(RSA.certificate(), outcome.serverSession.getLocalCertificates()[0]);
    }

    /**
     * P-256 and P-384 certificates, in either order in the key store, and a client with only one of
     * the curves: AsyncJSSE sends the certificate on that curve with every kind of key manager. (SunJSSE
     * asks its key manager once and fails when that one is on the other curve: with PKIX in one order,
     * with SunX509 in the other; the test does not hold AsyncJSSE to that.)
     */
    @ParameterizedTest(name = "{0} key manager, {1} first, client groups {2}")
    @CsvSource({"PKIX,P256,P-384", "PKIX,P384,P-384", "PKIX,P384,P-256", "SunX509,P256,P-384", "SunX509,P384,P-384",
        "SunX509,P256,P-256", "BC,P256,P-384", "BC,P384,P-384", "BC,P384,P-256"})
    void theCertificateOnTheClientsCurveIsChosen(String keyManager, String first, String groups) throws Exception {
        TestPki.Identity[] order = first.equals("P256") ? new TestPki.Identity[] {P256, P384} : new TestPki.Identity[] {P384, P256};
        OpenSslClient.Outcome outcome = tls12(context(Stack.ASYNC, keyManager, order), groups);
        assertNull(outcome.serverError, outcome::toString);
        TestPki.Identity expected = groups.equals("P-384") ? P384 : P256;
        assertEquals(expected.certificate(), outcome.serverSession.getLocalCertificates()[0]);
    }

    // ------------------------------------------------------------------ TLS 1.2 RSA key exchange

    /**
     * TLS_RSA_* key exchange, enabled by the application, with an RSA-2048 certificate: SunJSSE and
     * AsyncJSSE (inline and with an offloader, which then does the decryption) both serve
     * {@code openssl s_client -tls1_2 -cipher AES128-GCM-SHA256}, with the JDK's SunX509 key manager as
     * with PKIX. JDK 25 (and recent JDK 17 updates) disable these suites for SunJSSE in
     * {@code jdk.tls.disabledAlgorithms}, so the comparison runs in a child JVM whose list is this
     * JVM's without its TLS_RSA_* entries; AsyncJSSE's defaults are not changed by it. As a client,
     * AsyncJSSE hands the JDK's trust manager the authType {@code RSA} for this key exchange, as SunJSSE
     * does (Bouncy Castle's {@code KE:RSA} makes the JDK's trust manager refuse the server).
     */
    @Test
    void rsaKeyExchangeWorksWithEachJdkKeyManager() throws Exception {
        SystemTools.command("openssl", "openssl");
        String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
        String kept = Arrays.stream(disabled.split(",")).map(String::trim)
                .filter(entry -> !entry.startsWith("TLS_RSA_")).collect(Collectors.joining(", "));
        Path security = dir.resolve("rsa-key-exchange.java.security");
        Files.writeString(security, "jdk.tls.disabledAlgorithms=" + kept + "\n", StandardCharsets.ISO_8859_1);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.security.properties=" + security, "-cp", System.getProperty("java.class.path"),
                RsaKeyExchangeMain.class.getName()).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);

        List<String> results = output.lines().filter(line -> line.startsWith("RESULT ")).collect(Collectors.toList());
        assertEquals(List.of(
                "RESULT SUN PKIX inline " + RsaKeyExchangeMain.SUITE + " decrypts=0",
                "RESULT SUN SunX509 inline " + RsaKeyExchangeMain.SUITE + " decrypts=0",
                "RESULT ASYNC PKIX inline " + RsaKeyExchangeMain.SUITE + " decrypts=0",
                "RESULT ASYNC PKIX offload " + RsaKeyExchangeMain.SUITE + " decrypts=1",
                "RESULT ASYNC SunX509 inline " + RsaKeyExchangeMain.SUITE + " decrypts=0",
                "RESULT ASYNC SunX509 offload " + RsaKeyExchangeMain.SUITE + " decrypts=1"), results, output);
        List<String> clients = output.lines().filter(line -> line.startsWith("CLIENT ")).collect(Collectors.toList());
        assertEquals(List.of(
                "CLIENT SUN " + RsaKeyExchangeMain.SUITE + " [RSA]",
                "CLIENT ASYNC " + RsaKeyExchangeMain.SUITE + " [RSA]"), clients, output);
    }

    /** {@code stack}'s context with key managers of {@code keyManager}: SunJSSE's PKIX or SunX509, or BCJSSE's own ("BC"). */
    private static SSLContext context(Stack stack, String keyManager, TestPki.Identity... identities) throws Exception {
        KeyManager[] km;
        if (keyManager.equals("BC")) {
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX", Tls.BC_PROVIDER);
            kmf.init(TestPki.keyStore(identities), TestPki.PASSWORD);
            km = kmf.getKeyManagers();
        } else {
            km = TestPki.keyManagers(keyManager, identities);
        }
        return Tls.context(stack, km, null);
    }
}
