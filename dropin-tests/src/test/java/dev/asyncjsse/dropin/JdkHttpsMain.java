package dev.asyncjsse.dropin;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.util.concurrent.Executors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Child JVM: the JDK's own HTTPS server and clients, written as if AsyncJSSE did not exist. The
 * provider comes in only through {@code -Djava.security.properties}, offload only through
 * {@code -Ddev.asyncjsse.offload}. Arguments: key store path, password.
 */
public final class JdkHttpsMain {

    public static void main(String[] args) throws Exception {
        char[] password = args[1].toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Paths.get(args[0]))) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        System.out.println("SERVER-PROVIDER " + serverContext.getProvider().getName());
        System.out.println("DEFAULT-PROVIDER " + SSLContext.getDefault().getProvider().getName());

        HttpsServer server = HttpsServer.create(new InetSocketAddress("localhost", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            String protocol = ((HttpsExchange) exchange).getSSLSession().getProtocol();
            byte[] body = ("hello " + protocol).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        int port = server.getAddress().getPort();
        URI uri = URI.create("https://localhost:" + port + "/hello");

        // Clients on the default context (AsyncJSSE too), trusting javax.net.ssl.trustStore.
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            SSLParameters params = new SSLParameters();
            params.setProtocols(new String[] {protocol});
            HttpClient client = HttpClient.newBuilder().sslParameters(params).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("HTTPCLIENT " + protocol + " " + r.statusCode() + " " + r.body() + " client-engine-provider="
                    + client.sslContext().getProvider().getName());
        }
        HttpsURLConnection connection = (HttpsURLConnection) new URL(uri.toString()).openConnection();
        try (InputStream in = connection.getInputStream()) {
            System.out.println("URLCONNECTION " + connection.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    + " " + connection.getCipherSuite());
        }
        System.out.println("OFFLOAD-THREADS " + ChildJvm.offloadThreads());
        System.out.println("PORT " + port);
        ChildJvm.awaitParent();
        System.out.println("OFFLOAD-THREADS-END " + ChildJvm.offloadThreads());
        server.stop(0);
        System.exit(0);
    }
}
