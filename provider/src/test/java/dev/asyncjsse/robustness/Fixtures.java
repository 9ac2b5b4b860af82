package dev.asyncjsse.robustness;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Shared keys and contexts for the robustness tests: one CA, one EC P-256 server identity, SunJSSE
 * peers that trust it, and AsyncJSSE contexts with and without an offloader. Built once per JVM.
 */
final class Fixtures {

    /** BCJSSE logs every connection at INFO; thousands of fuzzed connections would flood the reports. */
    static final java.util.logging.Logger BC_LOG = quiet("org.bouncycastle");

    static final TestPki PKI = TestPki.create("Robustness CA");
    static final TestPki.Identity SERVER_ID = PKI.issue(KeyKind.EC_P256, "localhost", "localhost", "127.0.0.1");

    /** Daemon pool for the key offloaders of the tests. Never shut down: daemon threads, shared by all tests. */
    static final ExecutorService OFFLOAD_POOL = Executors.newFixedThreadPool(2, daemonThreads("robustness-offload-"));

    private Fixtures() {}

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(name);
        log.setLevel(java.util.logging.Level.SEVERE);
        return log;
    }

    static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** An AsyncJSSE server context with the EC identity; {@code offloader} may be null. */
    static SSLContext asyncServer(KeyOffloader offloader, Duration timeout) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
            ctx.init(TestPki.keyManagers(SERVER_ID), PKI.trustManagers(), null);
            if (offloader != null) {
                AsyncJsse.setKeyOffloader(ctx, offloader);
            }
            if (timeout != null) {
                AsyncJsse.setOffloadTimeout(ctx, timeout);
            }
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An AsyncJSSE client context trusting the CA; {@code offloader} may be null. */
    static SSLContext asyncClient(KeyOffloader offloader) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
            ctx.init(TestPki.keyManagers(SERVER_ID), PKI.trustManagers(), null);
            if (offloader != null) {
                AsyncJsse.setKeyOffloader(ctx, offloader);
            }
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLContext sunServer() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS", "SunJSSE");
            ctx.init(TestPki.keyManagers(SERVER_ID), PKI.trustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static final TestPki.Identity CLIENT_ID = PKI.issue(KeyKind.EC_P256, "client", "client.example");

    /** A SunJSSE client with a client certificate, for servers that ask for one. */
    static SSLContext sunClientWithKey() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS", "SunJSSE");
            ctx.init(TestPki.keyManagers(CLIENT_ID), PKI.trustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLContext sunClient() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS", "SunJSSE");
            ctx.init(null, PKI.trustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyOffloader latencyOffloader(long millis) {
        return KeyOffloaders.withLatency(KeyOffloaders.executor(OFFLOAD_POOL), Duration.ofMillis(millis));
    }

    static int intProperty(String name, int defaultValue) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        return Integer.parseInt(v.trim());
    }

    static long longProperty(String name, long defaultValue) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        return Long.parseLong(v.trim());
    }
}
