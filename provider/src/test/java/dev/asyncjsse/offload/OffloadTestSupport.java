package dev.asyncjsse.offload;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.engine.ContextHandle;
import dev.asyncjsse.testkit.PeerPorts;
import dev.asyncjsse.testkit.TestPki;
import java.security.Provider;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/** Contexts and engines shared by the offload tests. */
final class OffloadTestSupport {

    static final Provider ASYNC = new AsyncJsseProvider();
    static final TestPki PKI = TestPki.create("Offload Test CA");

    private OffloadTestSupport() {}

    static SSLContext asyncContext(KeyManager[] km, TrustManager[] tm, KeyOffloader offloader) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", ASYNC);
        ctx.init(km, tm, null);
        if (offloader != null) {
            AsyncJsse.setKeyOffloader(ctx, offloader);
        }
        return ctx;
    }

    static SSLContext sunContext(KeyManager[] km, TrustManager[] tm) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", "SunJSSE");
        ctx.init(km, tm, null);
        return ctx;
    }

    /** A plain BCJSSE context (SunJSSE disables TLS_RSA_* key exchange by default on JDK 17 and 25). */
    static SSLContext bcContext(KeyManager[] km) throws Exception {
        Provider bc = new BouncyCastleJsseProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        java.security.KeyStore ts = java.security.KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", PKI.caCertificate());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX", bc);
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS", bc);
        ctx.init(km, tmf.getTrustManagers(), null);
        return ctx;
    }

    static void setScheduler(SSLContext ctx, JobScheduler scheduler) {
        ((ContextHandle) ctx.getServerSessionContext()).config().setScheduler(scheduler);
    }

    static String[] plus(String[] suites, String suite) {
        if (Arrays.asList(suites).contains(suite)) {
            return suites;
        }
        return Stream.concat(Arrays.stream(suites), Stream.of(suite)).toArray(String[]::new);
    }

    static SSLEngine server(SSLContext ctx) {
        SSLEngine e = ctx.createSSLEngine();
        e.setUseClientMode(false);
        return e;
    }

    static SSLEngine client(SSLContext ctx, String protocol) {
        SSLEngine e = ctx.createSSLEngine("localhost", PeerPorts.next());
        e.setUseClientMode(true);
        if (protocol != null) {
            e.setEnabledProtocols(new String[] {protocol});
        }
        return e;
    }
}
