package dev.asyncjsse.monitor;

import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * A program that does nothing but one TLS handshake between two AsyncJSSE engines, with the JVM's
 * default logging configuration; {@link BouncyCastleLogsTest} runs it in a child JVM and reads its
 * stderr.
 */
final class BcLoggingProbe {

    private BcLoggingProbe() {}

    public static void main(String[] args) throws Exception {
        TestPki pki = TestPki.create("Logging CA");
        TestPki.Identity id = pki.issue(KeyKind.EC_P256, "localhost", "localhost");
        SSLContext server = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        server.init(TestPki.keyManagers(id), null, null);
        SSLContext client = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        client.init(null, pki.trustManagers(), null);
        SSLEngine s = server.createSSLEngine();
        s.setUseClientMode(false);
        SSLEngine c = client.createSSLEngine("localhost", 443);
        c.setUseClientMode(true);
        new EnginePair(c, s).handshake();
        System.out.println("HANDSHAKE " + s.getSession().getProtocol());
    }
}
