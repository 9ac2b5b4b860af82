package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.testkit.PeerPorts;
import dev.asyncjsse.testkit.TestPki;
import java.security.Provider;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/** Contexts and engines for the three stacks under test, and the identity checks every test starts with. */
final class Tls {

    enum Stack { ASYNC, SUN, BC }

    static final Provider ASYNC_PROVIDER = new AsyncJsseProvider();
    static final Provider BC_PROVIDER = new BouncyCastleJsseProvider();

    private Tls() {}

    static SSLContext context(Stack stack, KeyManager[] km, TrustManager[] tm) throws Exception {
        SSLContext ctx;
        switch (stack) {
            case ASYNC:
                ctx = SSLContext.getInstance("TLS", ASYNC_PROVIDER);
                assertEquals("AsyncJSSE", ctx.getProvider().getName());
                break;
            case SUN:
                ctx = SSLContext.getInstance("TLS", "SunJSSE");
                break;
            default:
                ctx = SSLContext.getInstance("TLS", BC_PROVIDER);
                break;
        }
        // plain BCJSSE asks the JCA for a "DEFAULT" SecureRandom, which only BC's JCE provider has
        ctx.init(km, tm, stack == Stack.BC ? new java.security.SecureRandom() : null);
        return ctx;
    }

    static SSLContext async(KeyManager[] km, TrustManager[] tm) throws Exception {
        return context(Stack.ASYNC, km, tm);
    }

    static SSLContext async(TestPki.Identity id, TestPki trusted) throws Exception {
        return async(id == null ? null : TestPki.keyManagers(id), trusted == null ? null : trusted.trustManagers());
    }

    /** Key managers for {@code stack}: BCJSSE's own for a BCJSSE peer (it cannot use SunJSSE's), SunJSSE's otherwise. */
    static KeyManager[] keyManagers(Stack stack, TestPki.Identity id) throws Exception {
        if (stack != Stack.BC) {
            return TestPki.keyManagers(id);
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX", BC_PROVIDER);
        kmf.init(TestPki.keyStore(id), TestPki.PASSWORD);
        return kmf.getKeyManagers();
    }

    static SSLEngine server(SSLContext ctx) {
        SSLEngine e = ctx.createSSLEngine();
        e.setUseClientMode(false);
        checkStack(ctx, e);
        return e;
    }

    static SSLEngine client(SSLContext ctx, String host, int port) {
        SSLEngine e = ctx.createSSLEngine(host, port);
        e.setUseClientMode(true);
        checkStack(ctx, e);
        return e;
    }

    /** A client engine for {@code localhost} on a port of its own, so it never resumes an earlier test's session. */
    static SSLEngine client(SSLContext ctx) {
        return client(ctx, "localhost", PeerPorts.next());
    }

    /** An AsyncJSSE context must give AsyncJSSE engines; the others must not. */
    static void checkStack(SSLContext ctx, SSLEngine e) {
        if (ctx.getProvider().getName().equals("AsyncJSSE")) {
            assertAsync(ctx, e);
        }
    }

    static void assertAsync(SSLContext ctx, SSLEngine e) {
        assertEquals("AsyncJSSE", ctx.getProvider().getName(), "context provider");
        assertInstanceOf(AsyncSSLEngine.class, e, "engine class");
    }

    static void assertAsync(SSLEngine e) {
        assertInstanceOf(AsyncSSLEngine.class, e, "engine class");
    }
}
