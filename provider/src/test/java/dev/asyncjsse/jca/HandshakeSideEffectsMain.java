package dev.asyncjsse.jca;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.Security;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Runs in a child JVM (see {@code ContextRandomTest} and {@code PrimitiveChooserTest}): installs,
 * before anything else uses
 * randomness, a first provider whose SecureRandom becomes the JVM's default and counts its callers
 * while a handshake runs; then runs AsyncJSSE handshakes and prints how often the default was used by
 * anything but the seeding of a {@link ContextRandom} and the libraries' own draws (counted apart),
 * with the first such caller's stack, and whether the primitive measurement ever started.
 */
public final class HandshakeSideEffectsMain {

    static final AtomicInteger SEED_DRAWS = new AtomicInteger();
    static final AtomicInteger LIBRARY_BLINDING = new AtomicInteger();
    static final AtomicInteger OTHER_CALLS = new AtomicInteger();
    static final AtomicReference<Throwable> FIRST_OTHER = new AtomicReference<>();
    static volatile boolean counting;

    private HandshakeSideEffectsMain() {}

    public static void main(String[] args) throws Exception {
        Security.insertProviderAt(new CountingProvider(), 1);
        TestPki pki = TestPki.create("default random CA");
        TestPki.Identity ec = pki.issue(KeyKind.EC_P256, "localhost", "localhost");
        TestPki.Identity rsa = pki.issue(KeyKind.RSA_2048, "localhost", "localhost");
        ExecutorService keyPool = Executors.newFixedThreadPool(2);
        int handshakes = 0;
        try {
            handshakes += run(ec, pki, "TLSv1.3", null, false, keyPool);
            handshakes += run(ec, pki, "TLSv1.2", null, false, keyPool);
            handshakes += run(rsa, pki, "TLSv1.3", null, false, keyPool);
            handshakes += run(rsa, pki, "TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256", false, keyPool);
            handshakes += run(ec, pki, "TLSv1.3", null, true, keyPool);
            handshakes += run(rsa, pki, "TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256", true, keyPool);
        } finally {
            keyPool.shutdownNow();
        }
        System.out.println("HANDSHAKES " + handshakes);
        System.out.println("MEASUREMENT-STARTED " + PrimitiveChooser.measurementStarted());
        System.out.println("CONTEXT-RANDOM-SEED-DRAWS " + SEED_DRAWS.get());
        System.out.println("LIBRARY-INTERNAL-DRAWS " + LIBRARY_BLINDING.get());
        System.out.println("DEFAULT-RANDOM-CALLS-DURING-HANDSHAKES " + OTHER_CALLS.get());
        Throwable first = FIRST_OTHER.get();
        if (first != null) {
            StringWriter trace = new StringWriter();
            first.printStackTrace(new PrintWriter(trace));
            System.out.println("FIRST-CALLER " + trace);
        }
    }

    private static int run(TestPki.Identity server, TestPki pki, String protocol, String suite, boolean offload,
                           ExecutorService keyPool) throws Exception {
        SSLContext serverContext = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        serverContext.init(TestPki.keyManagers(server), null, null);
        if (offload) {
            AsyncJsse.setKeyOffloader(serverContext, KeyOffloaders.executor(keyPool));
        }
        SSLContext clientContext = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        clientContext.init(null, pki.trustManagers(), null);
        for (int i = 0; i < 10; i++) {
            SSLEngine s = serverContext.createSSLEngine();
            s.setUseClientMode(false);
            SSLEngine c = clientContext.createSSLEngine("localhost", 443);
            c.setUseClientMode(true);
            c.setEnabledProtocols(new String[] {protocol});
            if (suite != null) {
                s.setEnabledCipherSuites(new String[] {suite});
                c.setEnabledCipherSuites(new String[] {suite});
            }
            counting = true;
            try {
                new EnginePair(c, s).handshake();
            } finally {
                counting = false;
            }
            if (!s.getSession().getProtocol().equals(protocol) || suite != null && !s.getSession().getCipherSuite().equals(suite)) {
                throw new IllegalStateException("negotiated " + s.getSession());
            }
        }
        return 10;
    }

    private static void record() {
        if (!counting) {
            return;
        }
        boolean seeding = StackWalker.getInstance().walk(frames ->
                frames.anyMatch(f -> f.getClassName().startsWith(ContextRandom.class.getName())));
        // randomness the libraries draw for themselves, taking no SecureRandom from their caller:
        // Bouncy Castle's EC point normalisation (blinding, per operation) and RSA public key check
        // (once per modulus), the JDK's RSA blinding parameters (once per key)
        boolean blinding = StackWalker.getInstance().walk(frames -> frames.anyMatch(f ->
                f.getClassName().startsWith("org.bouncycastle.math.ec.")
                        || f.getClassName().equals("org.bouncycastle.crypto.params.RSAKeyParameters")
                        || f.getClassName().startsWith("sun.security.rsa.RSACore")));
        if (seeding) {
            SEED_DRAWS.incrementAndGet();
        } else if (blinding) {
            LIBRARY_BLINDING.incrementAndGet();
        } else {
            OTHER_CALLS.incrementAndGet();
            FIRST_OTHER.compareAndSet(null, new Throwable("the JVM's default SecureRandom was used on " + Thread.currentThread()));
        }
    }

    /** A first provider whose only service is the JVM's default SecureRandom, counting its callers. */
    static final class CountingProvider extends Provider {
        private static final long serialVersionUID = 1L;

        CountingProvider() {
            super("CountingRandom", "1", "counts uses of the default SecureRandom");
            putService(new Service(this, "SecureRandom", "CountingNativePRNG", CountingSpi.class.getName(), null, null) {
                @Override
                public Object newInstance(Object parameter) {
                    return new CountingSpi();
                }
            });
        }
    }

    static final class CountingSpi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        private final transient SecureRandom delegate;

        CountingSpi() {
            try {
                delegate = SecureRandom.getInstance("NativePRNG", "SUN");
            } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected void engineSetSeed(byte[] seed) {
            delegate.setSeed(seed);
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            record();
            delegate.nextBytes(bytes);
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            record();
            return delegate.generateSeed(numBytes);
        }
    }
}
