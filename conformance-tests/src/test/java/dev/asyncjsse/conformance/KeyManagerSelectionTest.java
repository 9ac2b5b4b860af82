package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A SunJSSE or BCJSSE key manager holding several identities: AsyncJSSE's server picks the right one. */
class KeyManagerSelectionTest {

    static final TestPki PKI = TestPki.create("Selection CA");
    static final TestPki.Identity EC = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
    static final TestPki.Identity RSA = PKI.issue(KeyKind.RSA_2048, "localhost", "localhost");
    static final TestPki.Identity ED = PKI.issue(KeyKind.ED25519, "localhost", "localhost");
    // RSA: SunJSSE's PKIX key manager ranks TestPki's EC leaves EXTENSION_MISMATCH (no keyAgreement bit),
    // and then never looks at the SNI name
    static final TestPki.Identity A = PKI.issue(KeyKind.RSA_2048, "a.example", "a.example");
    static final TestPki.Identity B = PKI.issue(KeyKind.RSA_2048, "b.example", "b.example");

    /** {@code BCPKIX} is BCJSSE's own PKIX key manager, which AsyncJSSE passes to its inner stack as BCJSSE's own. */
    static KeyManager[] keyManagers(String algorithm, TestPki.Identity... ids) throws Exception {
        if (algorithm.equals("BCPKIX")) {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", Tls.BC_PROVIDER);
            kmf.init(TestPki.keyStore(ids), TestPki.PASSWORD);
            return kmf.getKeyManagers();
        }
        return TestPki.keyManagers(algorithm, ids);
    }

    /** TLS 1.2: the client's suite decides the key type. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"PKIX,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,RSA", "PKIX,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,EC",
        "SunX509,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,RSA", "SunX509,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,EC",
        "NewSunX509,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,RSA", "NewSunX509,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,EC",
        "BCPKIX,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,RSA", "BCPKIX,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,EC"})
    void suiteChoosesKey(String algorithm, String suite, String expected) throws Exception {
        SSLEngine s = Tls.server(Tls.async(keyManagers(algorithm, EC, RSA, ED), null));
        SSLEngine c = Tls.client(Tls.context(Stack.SUN, null, PKI.trustManagers()));
        c.setEnabledProtocols(new String[] {"TLSv1.2"});
        c.setEnabledCipherSuites(new String[] {suite});
        new Loop(c, s).handshake();
        assertEquals((expected.equals("RSA") ? RSA : EC).certificate(), c.getSession().getPeerCertificates()[0]);
    }

    /** TLS 1.3: the client's signature schemes decide; a BCJSSE client offering only ed25519 gets the Ed25519 key. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"PKIX,ed25519,ED", "PKIX,rsa_pkcs1_sha256,NONE", "PKIX,ecdsa_secp256r1_sha256,EC",
        "SunX509,ed25519,ED", "NewSunX509,ed25519,ED",
        // BCPKIX,ed25519 is left out: BCJSSE's own PKIX manager does not select a JDK-made Ed25519 key, plain BCJSSE neither
        "BCPKIX,rsa_pkcs1_sha256,NONE", "BCPKIX,ecdsa_secp256r1_sha256,EC"})
    void signatureSchemeChoosesKey(String algorithm, String scheme, String expected) throws Exception {
        SSLEngine s = Tls.server(Tls.async(keyManagers(algorithm, EC, RSA, ED), null));
        // the restriction is made on a BCJSSE client (AsyncJSSE's engine exposes no signature scheme setting on JDK 17)
        SSLEngine bc = Tls.client(Tls.context(Stack.BC, null, PKI.trustManagers()));
        org.bouncycastle.jsse.BCSSLParameters p = ((org.bouncycastle.jsse.BCSSLEngine) bc).getParameters();
        p.setSignatureSchemes(new String[] {scheme});
        p.setSignatureSchemesCert(new String[] {"ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "rsa_pkcs1_sha256", "ed25519"});
        p.setProtocols(new String[] {"TLSv1.3"});
        ((org.bouncycastle.jsse.BCSSLEngine) bc).setParameters(p);
        Loop loop = new Loop(bc, s);
        if (expected.equals("NONE")) {
            // rsa_pkcs1 is not allowed for TLS 1.3 handshake signatures: no key fits
            loop.run();
            Failures.assertFailed(loop, true, "handshake_failure|cipher suite", "handshake_failure");
            return;
        }
        loop.handshake();
        TestPki.Identity want = expected.equals("ED") ? ED : EC;
        assertEquals(want.certificate(), bc.getSession().getPeerCertificates()[0]);
    }

    /** Virtual hosting: SunJSSE's and BCJSSE's PKIX key managers pick the certificate matching the SNI name. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"PKIX,a.example,TLSv1.3", "PKIX,b.example,TLSv1.3", "PKIX,a.example,TLSv1.2", "PKIX,b.example,TLSv1.2",
        "BCPKIX,a.example,TLSv1.3", "BCPKIX,b.example,TLSv1.3", "BCPKIX,a.example,TLSv1.2", "BCPKIX,b.example,TLSv1.2"})
    void sniChoosesCertificate(String algorithm, String host, String protocol) throws Exception {
        SSLEngine s = Tls.server(Tls.async(keyManagers(algorithm, A, B), null));
        SSLEngine c = Tls.client(Tls.context(Stack.SUN, null, PKI.trustManagers()), host, 443);
        SSLParameters p = c.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(host)));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        c.setSSLParameters(p);
        c.setEnabledProtocols(new String[] {protocol});
        new Loop(c, s).handshake();
        assertEquals((host.startsWith("a") ? A : B).certificate(), c.getSession().getPeerCertificates()[0]);
    }
}
