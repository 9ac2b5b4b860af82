package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.BlockingTls;
import dev.asyncjsse.conformance.interop.Exchange.ClientCert;
import dev.asyncjsse.conformance.interop.Matrix.Group;
import dev.asyncjsse.conformance.interop.Matrix.Scheme;
import dev.asyncjsse.testkit.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Assumptions;

/**
 * Netty's BoringSSL engine ({@code netty-tcnative-boringssl-static}, {@link SslProvider#OPENSSL}) as a
 * client of AsyncJSSE's TLS 1.3 server, driven over a blocking socket: groups
 * ({@link OpenSslContextOption#GROUPS}), suites (BoringSSL does not let a client limit its TLS 1.3
 * suites, so the server is limited instead), the signature schemes its key alone decides, ALPN,
 * client certificates and resumption (Netty's client session cache, keyed by host and port).
 * BoringSSL's KeyUpdate is not reachable through Netty's API.
 */
class BoringSslClientTest extends PeerContract {

    @Override
    void requirePeer() {
        Assumptions.assumeTrue(OpenSsl.isAvailable(), () -> "netty-tcnative's BoringSSL does not load here: " + OpenSsl.unavailabilityCause());
    }

    @Override
    String lacks(Feature feature, Object value) {
        switch (feature) {
            case SUITE:
                return "BoringSSL always offers all TLS 1.3 suites";
            case SCHEME:
                if (value == Scheme.ECDSA_SECP256R1_SHA256 || value == Scheme.ECDSA_SECP384R1_SHA384) {
                    return null;
                }
                return value == Scheme.ED25519 || value == Scheme.RSA_PSS_PSS_SHA256
                        ? "BoringSSL's client does not offer " + ((Scheme) value).tlsName()
                        : "Netty cannot limit BoringSSL's signature schemes, so the hash of an RSA signature is the server's pick";
            case KEY_UPDATE:
                return "Netty does not expose BoringSSL's SSL_key_update";
            default:
                return null;
        }
    }

    private SslContext context(Exchange x) throws IOException {
        InteropPki pki = InteropPki.get();
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols("TLSv1.3")
                .trustManager(pki.ca.caCertificate()).endpointIdentificationAlgorithm("HTTPS");
        if (x.group != null) {
            b.option(OpenSslContextOption.GROUPS, new String[] {OpenSslClientTest.groupName(x.group)});
        }
        if (x.alpn != null) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, x.alpn));
        }
        if (x.cert != ClientCert.NONE) {
            TestPki.Identity id = x.cert == ClientCert.TRUSTED ? pki.client : pki.stranger;
            b.keyManager(new JavaClient.AnyIssuer(TestPki.keyManagers(id)[0]));
        }
        return b.build();
    }

    private ClientView connect(SslContext ctx, Exchange x) throws IOException {
        ClientView v = new ClientView();
        v.serverName = InteropPki.HOST;
        SSLEngine engine = ctx.newEngine(ByteBufAllocator.DEFAULT, InteropPki.HOST, server.port());
        // Netty sends SNI only for names with a dot; ask for it explicitly, as the other peers send it
        SSLParameters params = engine.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(InteropPki.HOST)));
        engine.setSSLParameters(params);
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
            try (BlockingTls tls = new BlockingTls(engine, socket)) {
                tls.handshake();
                v.connected = true;
                v.protocol = engine.getSession().getProtocol();
                v.suite = engine.getSession().getCipherSuite();
                v.alpn = engine.getApplicationProtocol() == null ? "" : engine.getApplicationProtocol();
                v.serverCommonName = JavaClient.commonName((X509Certificate) engine.getSession().getPeerCertificates()[0]);
                long ssl = ((ReferenceCountedOpenSslEngine) engine).sslPointer();
                v.group = Group.parse(SSL.getGroupName(ssl));
                v.resumed = SSL.isSessionReused(ssl);
                for (String line : x.lines) {
                    tls.write(line + "\n");
                    String got = tls.readUntil("echo:" + line + "\n");
                    v.echoed.add(got.substring(got.indexOf("echo:") + 5, got.length() - 1));
                }
            }
        } catch (Exception e) {
            v.transcript = e.toString();
            v.alert = JavaClient.alertIn(String.valueOf(e.getMessage()));
        } finally {
            socket.close();
            ReferenceCountUtil.safeRelease(engine);
        }
        return v;
    }

    @Override
    ClientView connect(Exchange x) throws Exception {
        SslContext ctx = context(x);
        try {
            return connect(ctx, x);
        } finally {
            ReferenceCountUtil.safeRelease(ctx);
        }
    }

    @Override
    List<ClientView> connectTwice(Exchange x) throws Exception {
        SslContext ctx = context(x);
        try {
            List<ClientView> views = new ArrayList<>();
            views.add(connect(ctx, x));
            views.add(connect(ctx, x));
            return views;
        } finally {
            ReferenceCountUtil.safeRelease(ctx);
        }
    }
}
