package dev.asyncjsse.examples;

import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.nio.NeedsReadException;
import dev.asyncjsse.nio.NeedsWriteException;
import dev.asyncjsse.nio.OffloadPendingException;
import dev.asyncjsse.nio.TlsChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A non-blocking HTTPS client on {@link TlsChannel} with an AsyncJSSE engine: one request, driven by a
 * selector the same way the server is. For the demo server's self-signed certificates it trusts any
 * server (and says so); do not copy that part.
 *
 * <p>After {@code ./demo.sh} has built the demo: {@code java -cp "examples/target/classes:$(cat
 * examples/target/demo-classpath.txt)" dev.asyncjsse.examples.DemoClient --port 8443 --sni b.localhost}
 */
public final class DemoClient {

    private DemoClient() {}

    /** Fetches {@code path} and returns the whole response (headers and body). */
    public static String fetch(String host, int port, String sni, String method, String path, byte[] body) throws IOException {
        SSLContext ctx;
        try {
            ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
            ctx.init(null, new TrustManager[] {new TrustAnything()}, null);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        SSLEngine engine = ctx.createSSLEngine(sni == null ? host : sni, port);
        if (sni != null) {
            SSLParameters p = engine.getSSLParameters();
            p.setServerNames(java.util.List.of(new SNIHostName(sni)));
            engine.setSSLParameters(p);
        }
        byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: " + (sni == null ? host : sni) + "\r\nContent-Length: "
                + (body == null ? 0 : body.length) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer request = ByteBuffer.allocate(head.length + (body == null ? 0 : body.length));
        request.put(head);
        if (body != null) {
            request.put(body);
        }
        request.flip();

        try (Selector selector = Selector.open()) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress(host, port));
            socket.configureBlocking(false);
            Queue<TlsChannel> woken = new ConcurrentLinkedQueue<>();
            try (TlsChannel tls = TlsChannel.client(socket, engine).offloadWakeup(selector, woken).build()) {
                SelectionKey key = socket.register(selector, 0);
                ByteArrayOutputStream response = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
                while (true) {
                    try {
                        while (request.hasRemaining() || tls.hasPendingOutput()) {
                            tls.write(request);
                        }
                        int n;
                        while ((n = tls.read(buf)) > 0) {
                            response.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        if (n < 0) {
                            X509Certificate cert = (X509Certificate) tls.session().getPeerCertificates()[0];
                            System.err.println("[" + tls.session().getProtocol() + ", " + tls.session().getCipherSuite()
                                    + ", server certificate " + cert.getSubjectX500Principal().getName() + "]");
                            return response.toString(StandardCharsets.UTF_8);
                        }
                    } catch (NeedsReadException e) {
                        key.interestOps(SelectionKey.OP_READ);
                    } catch (NeedsWriteException e) {
                        key.interestOps(SelectionKey.OP_WRITE);
                    } catch (OffloadPendingException e) {
                        key.interestOps(0); // a client certificate signature is in flight
                    }
                    if (selector.select(30_000) == 0 && woken.isEmpty()) {
                        throw new IOException("no progress for 30 s");
                    }
                    selector.selectedKeys().clear();
                    woken.clear();
                }
            }
        }
    }

    /** Trusts any server certificate: only for the demo's self-signed certificates. */
    private static final class TrustAnything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8443;
        String sni = null;
        String path = "/";
        String data = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host":
                    host = args[++i];
                    break;
                case "--port":
                    port = Integer.parseInt(args[++i]);
                    break;
                case "--sni":
                    sni = args[++i];
                    break;
                case "--path":
                    path = args[++i];
                    break;
                case "--data":
                    data = args[++i];
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "'; use [--host H] [--port N] [--sni NAME] [--path P] [--data TEXT (POST)]");
            }
        }
        System.err.println("(trusting any server certificate: the demo server's are self-signed)");
        System.out.print(fetch(host, port, sni, data == null ? "GET" : "POST", path,
                data == null ? null : data.getBytes(StandardCharsets.UTF_8)));
    }
}
