package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.testkit.SystemTools;
import dev.asyncjsse.testkit.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.Security;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Jetty 12 HTTP/2 over TLS (h2 by ALPN) on AsyncJSSE, with {@link AsyncJsseServerALPNProcessor} on
 * the class path; offload from properties. HttpClient and curl negotiate h2.
 */
class JettyHttp2Test {

    @AfterEach
    void clean() {
        System.clearProperty("dev.asyncjsse.offload");
        Security.removeProvider(AsyncJsseProvider.NAME);
    }

    @Test
    void jettyServesHttp2ThroughAsyncJsse() throws Exception {
        Path dir = Support.workDir("jetty-h2");
        TestPki pki = TestPki.create("dropin-ca");
        TestPki.Identity ec = pki.issue(TestPki.KeyKind.EC_P256, "localhost", "localhost");
        Path keyStore = Support.writeStore(dir.resolve("server.p12"), TestPki.keyStore(ec), TestPki.PASSWORD);
        Path ca = Support.writePem(dir.resolve("ca.pem"), pki.caCertificate());

        System.setProperty("dev.asyncjsse.offload", "executor:2");
        Security.addProvider(new AsyncJsseProvider());

        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setProvider("AsyncJSSE");
        ssl.setKeyStorePath(keyStore.toString());
        ssl.setKeyStorePassword(new String(TestPki.PASSWORD));
        ssl.setKeyStoreType("PKCS12");
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);

        Server server = new Server();
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer());
        HttpConnectionFactory h1 = new HttpConnectionFactory(https);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(h1.getProtocol());
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, h1);
        connector.setHost("localhost");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("Content-Type", "text/plain");
                Content.Sink.write(response, true, "hello " + request.getConnectionMetaData().getProtocol(), callback);
                return true;
            }
        });
        server.start();
        try {
            assertEquals("AsyncJSSE", ssl.getSslContext().getProvider().getName());
            URI uri = URI.create("https://localhost:" + connector.getLocalPort() + "/hello");
            HttpClient client = HttpClient.newBuilder().sslContext(Support.sunClientContext(pki.caCertificate()))
                    .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals("hello HTTP/2.0", r.body());

            Support.Run curl = Support.runOk(List.of(SystemTools.command("curl", "curl"), "-sS", "--http2", "--max-time", "20", "--cacert", ca.toString(),
                    "-w", "\n%{http_version}", uri.toString()), null, 30);
            assertTrue(curl.out.trim().endsWith("\n2"), curl::toString);
            assertTrue(curl.out.startsWith("hello HTTP/2.0"), curl::toString);
        } finally {
            server.stop();
        }
    }
}
