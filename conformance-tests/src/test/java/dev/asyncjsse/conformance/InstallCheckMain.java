package dev.asyncjsse.conformance;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Security;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Runs in a child JVM started with {@code -Djava.security.properties=<file>} that makes AsyncJSSE the
 * first provider. Checks that the JDK's own clients pick it up unchanged. Exit code 0 and a last
 * line starting with {@code OK} on success.
 *
 * <p>Arguments: server key store (PKCS12) path, its password.
 */
public final class InstallCheckMain {

    private InstallCheckMain() {}

    static void check(boolean condition, String message) {
        if (!condition) {
            System.out.println("FAIL " + message);
            System.exit(2);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("preferred")) {
            SSLContext tls = SSLContext.getInstance("TLS");
            check(tls.getProvider().getName().equals("AsyncJSSE"), "SSLContext.getInstance(TLS) from " + tls.getProvider().getName());
            tls.init(null, null, null);
            check(tls.createSSLEngine() instanceof dev.asyncjsse.AsyncSSLEngine, "engine class " + tls.createSSLEngine().getClass());
            System.out.println("OK preferred TLS from AsyncJSSE, Default from " + SSLContext.getDefault().getProvider().getName());
            System.exit(0);
        }
        check(Security.getProviders()[0].getName().equals("AsyncJSSE"),
                "first provider is " + Security.getProviders()[0].getName());
        SSLContext dflt = SSLContext.getDefault();
        check(dflt.getProvider().getName().equals("AsyncJSSE"), "SSLContext.getDefault() from " + dflt.getProvider().getName());
        check(dflt.createSSLEngine() instanceof dev.asyncjsse.AsyncSSLEngine, "default engine class " + dflt.createSSLEngine().getClass());
        SSLContext tls = SSLContext.getInstance("TLS");
        check(tls.getProvider().getName().equals("AsyncJSSE"), "SSLContext.getInstance(TLS) from " + tls.getProvider().getName());

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(args[0])) {
            ks.load(in, args[1].toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, args[1].toCharArray());
        tls.init(kmf.getKeyManagers(), null, null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicReference<String> serverProtocol = new AtomicReference<>();
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(getSSLContext().getDefaultSSLParameters());
            }
        });
        server.createContext("/hello", exchange -> {
            serverProtocol.set(((HttpsExchange) exchange).getSSLSession().getProtocol());
            byte[] body = "hello from AsyncJSSE".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            URI uri = URI.create("https://localhost:" + port + "/hello");

            HttpClient client = HttpClient.newHttpClient();
            check(client.sslContext().getProvider().getName().equals("AsyncJSSE"),
                    "HttpClient's SSLContext from " + client.sslContext().getProvider().getName());
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            check(response.statusCode() == 200, "HttpClient status " + response.statusCode());
            check(response.body().equals("hello from AsyncJSSE"), "HttpClient body " + response.body());
            check(response.sslSession().isPresent(), "HttpClient has no SSL session");
            String clientProtocol = response.sslSession().get().getProtocol();

            HttpsURLConnection connection = (HttpsURLConnection) new URL(uri.toString()).openConnection();
            String urlBody;
            try (InputStream in = connection.getInputStream()) {
                urlBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            check(urlBody.equals("hello from AsyncJSSE"), "HttpsURLConnection body " + urlBody);
            // the Default context also takes its key from javax.net.ssl.keyStore
            HttpsServer dserver = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            dserver.setHttpsConfigurator(new HttpsConfigurator(SSLContext.getDefault()));
            dserver.createContext("/hello", exchange -> {
                byte[] body = "default context".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            dserver.start();
            try {
                URI d = URI.create("https://localhost:" + dserver.getAddress().getPort() + "/hello");
                HttpResponse<String> dr = client.send(HttpRequest.newBuilder(d).build(), HttpResponse.BodyHandlers.ofString());
                check(dr.body().equals("default context"), "default-context server body " + dr.body());
            } finally {
                dserver.stop(0);
            }
            System.out.println("OK HttpClient " + clientProtocol + " server " + serverProtocol.get());
        } finally {
            server.stop(0);
        }
        System.exit(0);
    }
}
