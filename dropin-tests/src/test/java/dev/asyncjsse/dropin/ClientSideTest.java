package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AsyncJSSE as a client, the way docs/USING.md shows it: a context with a client certificate whose
 * signature goes to a key offloader, used by the JDK's {@code HttpClient} and by
 * {@code HttpsURLConnection} (its {@code SSLSocket}s), against a SunJSSE {@code HttpsServer} that
 * requires a client certificate and answers with the name it received.
 */
class ClientSideTest {

    static TestPki pki;
    static TestPki.Identity clientId;
    static HttpsServer server;
    static ExecutorService pool;
    /** Key operations the pool ran. */
    static final AtomicInteger ranOnPool = new AtomicInteger();

    SSLContext context;
    CountingOffloader offloader;

    @BeforeAll
    static void startServer() throws Exception {
        pki = TestPki.create("client-side-ca");
        TestPki.Identity serverId = pki.issue(TestPki.KeyKind.EC_P256, "localhost", "localhost");
        clientId = pki.issue(TestPki.KeyKind.EC_P256, "client-app");
        SSLContext sun = SSLContext.getInstance("TLS", "SunJSSE");
        sun.init(TestPki.keyManagers(serverId), pki.trustManagers(), null);
        server = HttpsServer.create(new InetSocketAddress("localhost", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(sun) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = sun.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", exchange -> {
            javax.net.ssl.SSLSession session = ((com.sun.net.httpserver.HttpsExchange) exchange).getSSLSession();
            String who = session.getPeerPrincipal().getName();
            byte[] body = ("hello " + who + " over " + session.getProtocol()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "client-key");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stop(0);
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @BeforeEach
    void clientContext() throws Exception {
        // The configuration docs/USING.md shows, with a counting offloader around the executor one.
        context = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        context.init(TestPki.keyManagers(clientId), pki.trustManagers(), null);
        offloader = new CountingOffloader(KeyOffloaders.executor(task -> pool.execute(() -> {
            ranOnPool.incrementAndGet();
            task.run();
        })));
        AsyncJsse.setKeyOffloader(context, offloader);
    }

    URI uri() {
        return URI.create("https://localhost:" + server.getAddress().getPort() + "/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void httpClientSignsItsCertificateThroughTheOffloader(String protocol) throws Exception {
        SSLParameters params = new SSLParameters();
        params.setProtocols(new String[] {protocol});
        HttpClient client = HttpClient.newBuilder().sslContext(context).sslParameters(params)
                .connectTimeout(Duration.ofSeconds(10)).build();
        int ranBefore = ranOnPool.get();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello CN=client-app over " + protocol, r.body());
        assertEquals(1, offloader.signs.get(), "the client signed its CertificateVerify once, through the offloader");
        assertEquals(1, ranOnPool.get() - ranBefore, "on the offloader's pool");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void httpsUrlConnectionOnTheContextsSocketFactory(String protocol) throws Exception {
        SSLContext pinned = context;
        HttpsURLConnection c = (HttpsURLConnection) uri().toURL().openConnection();
        c.setSSLSocketFactory(new PinnedProtocolFactory(pinned.getSocketFactory(), protocol));
        c.setConnectTimeout(10_000);
        c.setReadTimeout(20_000);
        int ranBefore = ranOnPool.get();
        assertEquals(200, c.getResponseCode());
        try (InputStream in = c.getInputStream()) {
            assertEquals("hello CN=client-app over " + protocol, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(1, offloader.signs.get(), "a blocking socket's signature goes through the offloader too");
        assertEquals(1, ranOnPool.get() - ranBefore);
    }

    /** Enables one protocol on the sockets of another factory. */
    static final class PinnedProtocolFactory extends javax.net.ssl.SSLSocketFactory {
        private final javax.net.ssl.SSLSocketFactory delegate;
        private final String protocol;

        PinnedProtocolFactory(javax.net.ssl.SSLSocketFactory delegate, String protocol) {
            this.delegate = delegate;
            this.protocol = protocol;
        }

        private java.net.Socket pin(java.net.Socket s) {
            ((javax.net.ssl.SSLSocket) s).setEnabledProtocols(new String[] {protocol});
            return s;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public java.net.Socket createSocket(java.net.Socket s, String host, int port, boolean autoClose) throws java.io.IOException {
            return pin(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            return pin(delegate.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress localHost, int localPort) throws java.io.IOException {
            return pin(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
            return pin(delegate.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress localAddress, int localPort)
                throws java.io.IOException {
            return pin(delegate.createSocket(address, port, localAddress, localPort));
        }

        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            return pin(delegate.createSocket());
        }
    }
}
