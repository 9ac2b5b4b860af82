package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** Full handshakes of the native server against the JDK's and Bouncy Castle's clients, in memory. */
class NativeHandshakeTest {

    static final TestPki PKI = TestPki.create("Native CA");
    static final NativeContext CONTEXT = new NativeContext(new SecureRandom());

    static SSLParameters serverParameters() {
        SSLParameters p = new SSLParameters();
        p.setCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"});
        p.setProtocols(new String[] {"TLSv1.3"});
        return p;
    }

    @Test
    void sunClientEcdsaP256() throws Throwable {
        TestPki.Identity id = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
        TestFront server = new TestFront(CONTEXT, serverParameters(), b -> b.keyManager(Peers.keyManager(id)));
        SSLContext ctx = Peers.context(Peers.Client.SUNJSSE, null, PKI.trustManagers());
        SSLEngine client = Peers.client(ctx, Peers.Client.SUNJSSE, null, null, null);
        EnginePair pair = new EnginePair(client, server);
        pair.handshake();
        assertEquals(1, pair.serverFinished);
        assertEquals("TLSv1.3", server.getSession().getProtocol());
        assertEquals(client.getSession().getCipherSuite(), server.getSession().getCipherSuite());
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(hello, pair.send(true, hello));
        assertArrayEquals(hello, pair.send(false, hello));
    }
}
