package dev.asyncjsse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmokeTest {

    @ParameterizedTest
    @CsvSource({"TLSv1.3,EC_P256", "TLSv1.2,EC_P256", "TLSv1.3,RSA_2048", "TLSv1.2,RSA_2048", "TLSv1.3,ED25519"})
    void asyncServerAgainstSunClient(String protocol, KeyKind kind) throws Exception {
        TestPki pki = TestPki.create("Test CA");
        TestPki.Identity id = pki.issue(kind, "localhost", "localhost");
        SSLContext server = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        server.init(TestPki.keyManagers(id), null, null);
        SSLContext client = SSLContext.getInstance("TLS", "SunJSSE");
        client.init(null, pki.trustManagers(), null);

        SSLEngine s = server.createSSLEngine();
        assertInstanceOf(AsyncSSLEngine.class, s);
        s.setUseClientMode(false);
        SSLEngine c = client.createSSLEngine("localhost", 443);
        c.setUseClientMode(true);
        c.setEnabledProtocols(new String[] {protocol});
        EnginePair pair = new EnginePair(c, s);
        pair.handshake();
        assertEquals(protocol, s.getSession().getProtocol());
        assertEquals(1, pair.serverFinished);
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, pair.send(true, hello));
        assertArrayEquals(hello, pair.send(false, hello));
    }
}
