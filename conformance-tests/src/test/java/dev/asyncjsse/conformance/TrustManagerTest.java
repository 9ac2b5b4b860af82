package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.TestPki;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Trust managers of every SunJSSE factory algorithm, and plain (non-extended) X509TrustManagers. */
class TrustManagerTest {

    static TrustManager[] sunTrustManagers(String algorithm, TestPki pki) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", pki.caCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(algorithm, "SunJSSE");
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    /** A trust manager that is not an X509ExtendedTrustManager. */
    static TrustManager[] plain(TrustManager[] tms) {
        X509TrustManager d = (X509TrustManager) tms[0];
        return new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                d.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                d.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return d.getAcceptedIssuers();
            }
        }};
    }

    @ParameterizedTest(name = "{0} plain={1} {2}")
    @CsvSource({"PKIX,false,TLSv1.3", "SunX509,false,TLSv1.3", "PKIX,true,TLSv1.3", "PKIX,false,TLSv1.2",
        "SunX509,false,TLSv1.2", "PKIX,true,TLSv1.2"})
    void trustManagersBothSides(String algorithm, boolean plain, String protocol) throws Exception {
        TestPki pki = HandshakeFailureTest.PKI;
        TrustManager[] tms = sunTrustManagers(algorithm, pki);
        if (plain) {
            tms = plain(tms);
        }
        SSLEngine s = Tls.server(Tls.async(TestPki.keyManagers(HandshakeFailureTest.SERVER), tms));
        SSLEngine c = Tls.client(Tls.async(TestPki.keyManagers(HandshakeFailureTest.CLIENT), tms));
        s.setNeedClientAuth(true);
        c.setEnabledProtocols(new String[] {protocol});
        new Loop(c, s).handshake();
        assertEquals(HandshakeFailureTest.CLIENT.certificate(), s.getSession().getPeerCertificates()[0]);
        assertEquals(HandshakeFailureTest.SERVER.certificate(), c.getSession().getPeerCertificates()[0]);
    }

    /**
     * SunJSSE checks the host name itself when the trust manager is a plain X509TrustManager (it wraps
     * it), so endpoint identification cannot be lost by using an old-style trust manager.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ASYNC,TLSv1.3", "ASYNC,TLSv1.2", "SUN,TLSv1.3"})
    void plainTrustManagerStillChecksHostName(Stack stack, String protocol) throws Exception {
        TestPki pki = HandshakeFailureTest.PKI;
        SSLContext cctx = Tls.context(stack, null, plain(sunTrustManagers("PKIX", pki)));
        SSLEngine c = Tls.client(cctx, "wrong.example", 443);
        SSLParameters p = c.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        c.setSSLParameters(p);
        c.setEnabledProtocols(new String[] {protocol});
        SSLEngine s = Tls.server(Tls.context(Stack.SUN, TestPki.keyManagers(HandshakeFailureTest.SERVER), null));
        Loop loop = new Loop(c, s).run();
        Failures.assertHandshakeFailure(loop.clientError, stack + " client", "wrong.example|certificate");
        Failures.assertPeerSawAlert(loop.serverError, "SunJSSE server", "certificate");
    }
}
