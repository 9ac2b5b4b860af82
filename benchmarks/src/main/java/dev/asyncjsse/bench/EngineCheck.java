package dev.asyncjsse.bench;

import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.ServerEngineProbe;
import dev.asyncjsse.testkit.ServerEngineProbe.Engine;
import dev.asyncjsse.testkit.TestPki;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Which server engine AsyncJSSE serves TLS 1.3 with in this JVM, seen by one in-memory handshake
 * through a {@link ServerEngineProbe} (the benchmarks' own contexts are not probed: the probe walks
 * the stack). A run asked to measure {@code -Ddev.asyncjsse.tls13=native} must not silently measure
 * the BCJSSE path. {@code main} prints {@code bc} or {@code native}, for {@code run.sh}. Thread-safe.
 */
public final class EngineCheck {

    private static Engine served;

    private EngineCheck() {}

    /** The engine that served the probe handshake; the probe runs once per JVM. */
    public static synchronized Engine served() throws Exception {
        if (served == null) {
            ServerEngineProbe probe = new ServerEngineProbe(TestPki.keyManagers(Impl.Pki.EC)[0]);
            SSLContext server = SSLContext.getInstance("TLSv1.3", new AsyncJsseProvider());
            server.init(new KeyManager[] {probe}, null, new SecureRandom());
            SSLEngine s = server.createSSLEngine();
            s.setUseClientMode(false);
            SSLEngine c = Impl.SUNJSSE.context("TLSv1.3", null, Impl.Pki.CA.trustManagers()).createSSLEngine("probe.bench", 1);
            c.setUseClientMode(true);
            new EnginePair(c, s).handshake();
            Set<Engine> seen = probe.seen();
            if (seen.size() != 1) {
                throw new IllegalStateException("the probe handshake saw server engines " + seen);
            }
            served = seen.iterator().next();
        }
        return served;
    }

    /** Fails if {@code -Ddev.asyncjsse.tls13} names an engine other than the one that serves. */
    static void requireRequested() throws Exception {
        String requested = System.getProperty("dev.asyncjsse.tls13");
        if (requested != null && !requested.isBlank() && !served().name().equalsIgnoreCase(requested.trim())) {
            throw new IllegalStateException("-Ddev.asyncjsse.tls13=" + requested + " but the " + served()
                    + " engine serves TLS 1.3 in this build: the figures would be mislabelled");
        }
    }

    public static void main(String[] args) throws Exception {
        Impl.pinNamedGroups();
        System.out.println(served().name().toLowerCase(Locale.ROOT));
        System.exit(0);
    }
}
