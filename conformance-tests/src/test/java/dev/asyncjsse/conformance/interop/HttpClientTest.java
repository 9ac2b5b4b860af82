package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.JavaClient.Stack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The JDK's {@link HttpClient} (on SunJSSE) fetching a page from AsyncJSSE's TLS 1.3 server: suites,
 * ALPN (it offers h2 and http/1.1 for HTTP/2 and settles on http/1.1), client certificates, and
 * resumption across two requests of one client (the server closes each connection). Groups and
 * schemes are SunJSSE's and covered by {@link SunJsseClientTest}.
 */
class HttpClientTest extends PeerContract {

    @Override
    void requirePeer() {
        // the JDK is always there
    }

    @Override
    String lacks(Feature feature, Object value) {
        switch (feature) {
            case GROUP:
            case SCHEME:
                return "HttpClient takes these only from SunJSSE's JVM-wide properties; SunJsseClientTest covers them";
            case KEY_UPDATE:
                return "HttpClient has no way to send a KeyUpdate";
            default:
                return null;
        }
    }

    @Override
    List<String> alpnOffer() {
        return List.of("h2", "http/1.1");
    }

    private HttpClient client(SSLContext ctx, Exchange x) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        if (x.suite != null) {
            p.setCipherSuites(new String[] {x.suite});
        }
        return HttpClient.newBuilder().sslContext(ctx).sslParameters(p).connectTimeout(Duration.ofSeconds(10))
                // HTTP/2 makes it offer ALPN (h2, http/1.1); HTTP/1.1 offers none
                .version(x.alpn == null ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2).build();
    }

    private ClientView get(HttpClient client, int n) throws InterruptedException {
        ClientView v = new ClientView();
        URI uri = URI.create("https://" + InteropPki.HOST + ":" + server.port() + "/interop/" + n);
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            SSLSession s = r.sslSession().orElseThrow();
            v.connected = true;
            v.protocol = s.getProtocol();
            v.suite = s.getCipherSuite();
            v.serverCommonName = JavaClient.commonName((X509Certificate) s.getPeerCertificates()[0]);
            v.echoed.add(r.statusCode() + " " + r.body().trim());
            v.transcript = r.toString();
        } catch (IOException e) {
            v.transcript = e.toString();
            v.alert = JavaClient.alertIn(String.valueOf(e.getMessage()));
        }
        return v;
    }

    @Override
    ClientView connect(Exchange x) throws Exception {
        return get(client(JavaClient.context(Stack.SUNJSSE, x.cert), x), 1);
    }

    @Override
    List<ClientView> connectTwice(Exchange x) throws Exception {
        HttpClient c = client(JavaClient.context(Stack.SUNJSSE, x.cert), x);
        return List.of(get(c, 1), get(c, 2));
    }
}
