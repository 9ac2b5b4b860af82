package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.testkit.TestPki;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import java.security.Security;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Jetty 12: SslContextFactory.Server selects the AsyncJSSE provider by name; offload comes only from
 * system properties. Jetty runs delegated tasks inline and knows nothing of offload.
 */
class JettyTest {

    private final List<SSLEngine> engines = new CopyOnWriteArrayList<>();

    @AfterEach
    void clean() {
        System.clearProperty("dev.asyncjsse.offload");
        System.clearProperty("dev.asyncjsse.offload.latency");
        Security.removeProvider(AsyncJsseProvider.NAME);
    }

    @Test
    void jettyServesHttpsThroughAsyncJsse() throws Exception {
        Path dir = Support.workDir("jetty");
        TestPki pki = TestPki.create("dropin-ca");
        TestPki.Identity rsa = pki.issue(TestPki.KeyKind.RSA_2048, "localhost", "localhost");
        Path keyStore = Support.writeStore(dir.resolve("server.p12"), TestPki.keyStore(rsa), TestPki.PASSWORD);
        Path ca = Support.writePem(dir.resolve("ca.pem"), pki.caCertificate());

        // What an operator sets: -Ddev.asyncjsse.offload=executor:2 -Ddev.asyncjsse.offload.latency=20
        System.setProperty("dev.asyncjsse.offload", "executor:2");
        System.setProperty("dev.asyncjsse.offload.latency", "20");
        Security.addProvider(new AsyncJsseProvider());

        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setProvider("AsyncJSSE");
        ssl.setKeyStorePath(keyStore.toString());
        ssl.setKeyStorePassword(new String(TestPki.PASSWORD));
        ssl.setKeyStoreType("PKCS12");

        Server server = new Server();
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer());
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        connector.setHost("localhost");
        connector.setPort(0);
        connector.addBean(new SslHandshakeListener() {
            @Override
            public void handshakeSucceeded(Event event) {
                engines.add(event.getSSLEngine());
            }
        });
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                EndPoint.SslSessionData tls = (EndPoint.SslSessionData) request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
                String body = "hello " + (tls == null ? "plain" : tls.sslSession().getProtocol());
                response.getHeaders().put("Content-Type", "text/plain");
                Content.Sink.write(response, true, body, callback);
                return true;
            }
        });
        server.start();
        try {
            assertEquals("AsyncJSSE", ssl.getSslContext().getProvider().getName());
            URI uri = URI.create("https://localhost:" + connector.getLocalPort() + "/hello");
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                for (int i = 0; i < 3; i++) {
                    assertEquals("hello " + protocol, Support.httpGet(uri, protocol, pki.caCertificate()).body());
                }
                assertEquals("hello " + protocol, Support.curl(uri.toString(), ca, protocol.substring(4)));
            }
            // Concurrent handshakes, each pending on the offloader while Jetty runs its delegated task.
            for (String body : Support.parallelGets(uri, 16, "TLSv1.3", pki.caCertificate())) {
                assertEquals("hello TLSv1.3", body);
            }
        } finally {
            server.stop();
        }
        assertEquals(8 + 16, engines.size());
        for (SSLEngine engine : engines) {
            assertTrue(engine instanceof AsyncSSLEngine, engine.getClass().getName());
            assertEquals(dev.asyncjsse.AsyncStatus.OK, ((AsyncSSLEngine) engine).getAsyncStatus(), "the key was offloaded");
        }
        assertTrue(ChildJvm.offloadThreads() > 0, "no asyncjsse-offload thread ran");
        System.out.println("Jetty: " + engines.size() + " handshakes on " + engines.get(0).getClass().getName());
    }
}
