package dev.asyncjsse.bench;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.TestPki;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The TLS implementations under comparison, each built privately (nothing is installed in the JVM's
 * provider list).
 *
 * <ul>
 * <li>{@code SUNJSSE}: the JDK's provider.
 * <li>{@code BCJSSE_JDK}: BCJSSE with the JDK's JCA providers ({@code new BouncyCastleJsseProvider()}).
 * <li>{@code BCJSSE_BC}: BCJSSE with a private Bouncy Castle JCA provider.
 * <li>{@code ASYNC_SYNC}: AsyncJSSE, no offloader (synchronous).
 * <li>{@code ASYNC_OFFLOAD}: AsyncJSSE with {@code KeyOffloaders.executor(pool)}, zero latency.
 * <li>{@code ASYNC_OFFLOAD_INLINE}: AsyncJSSE with an offloader that completes on the calling (job)
 *     thread; compared with {@code ASYNC_SYNC} it isolates the cost of the handshake-job handoff.
 * <li>{@code BORINGSSL}: Netty's BoringSSL engine (netty-tcnative), native code; not a JSSE provider,
 *     so it has engines ({@link #server}, {@link #client}) but no {@link #context}.
 * </ul>
 *
 * <p>Which server engine AsyncJSSE uses for TLS 1.3 follows {@code -Ddev.asyncjsse.tls13=bc|native}
 * on the benchmark JVM, as for any program; {@link EngineCheck} tells which one served.
 */
public enum Impl {
    SUNJSSE, BCJSSE_JDK, BCJSSE_BC, ASYNC_SYNC, ASYNC_OFFLOAD, ASYNC_OFFLOAD_INLINE, BORINGSSL;

    /** Makes the engines of one side of an implementation. Not thread-safe: one benchmark thread uses it. */
    public interface Engines {
        /** A new engine; {@code peerHost} null for a server. Its mode is not set yet. */
        SSLEngine create(String peerHost, int peerPort);

        /** Frees what the engine holds outside the heap (BoringSSL); nothing for JSSE engines. */
        default void release(SSLEngine engine) {
        }
    }

    private static final class Holder {
        static final Provider BCJSSE_JDK = new BouncyCastleJsseProvider();
        static final Provider BC = new BouncyCastleProvider();
        static final Provider BCJSSE_BC = new BouncyCastleJsseProvider(BC);
        static final Provider ASYNC = new AsyncJsseProvider();
        static final ExecutorService POOL = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-offload");
            t.setDaemon(true);
            return t;
        });
    }

    public boolean isAsync() {
        return name().startsWith("ASYNC");
    }

    /** Server engines of this implementation for {@code protocol} with {@code identity}'s key. */
    public Engines server(String protocol, TestPki.Identity identity) throws Exception {
        if (this == BORINGSSL) {
            return BoringSsl.server(protocol, identity);
        }
        return engines(context(protocol, identity, null));
    }

    /** Client engines of this implementation for {@code protocol}, trusting the benchmark CA. */
    public Engines client(String protocol) throws Exception {
        if (this == BORINGSSL) {
            return BoringSsl.client(protocol, Pki.CA.trustManagers()[0]);
        }
        return engines(context(protocol, null, Pki.CA.trustManagers()));
    }

    private static Engines engines(SSLContext ctx) {
        return (host, port) -> host == null ? ctx.createSSLEngine() : ctx.createSSLEngine(host, port);
    }

    /**
     * A context of this implementation for {@code protocol} ("TLS", "TLSv1.3", ...), with the key
     * managers of its own provider's {@code PKIX} factory for {@code identity} (BCJSSE with BC's JCA
     * cannot use SunJSSE's key manager: it finds no usable credential). AsyncJSSE, which has no key
     * manager factory, gets SunJSSE's default one, as its users would.
     */
    public SSLContext context(String protocol, TestPki.Identity identity, TrustManager[] tm) throws Exception {
        if (this == BORINGSSL) {
            throw new IllegalArgumentException("BoringSSL is not a JSSE provider: use server() and client()");
        }
        KeyManager[] km = null;
        if (identity != null) {
            KeyManagerFactory kmf;
            switch (this) {
                case BCJSSE_JDK:
                    // -Dbench.bcjsseKeyManager=sun: SunJSSE's default key manager, as AsyncJSSE gets it
                    // (isolates the cost of AsyncJSSE's decorator over the BCJSSE it wraps).
                    kmf = System.getProperty("bench.bcjsseKeyManager") != null
                            ? KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm(), "SunJSSE")
                            : KeyManagerFactory.getInstance("PKIX", Holder.BCJSSE_JDK);
                    break;
                case BCJSSE_BC:
                    kmf = KeyManagerFactory.getInstance("PKIX", Holder.BCJSSE_BC);
                    break;
                default:
                    // The JDK's default algorithm (SunX509 unless configured), as a server that calls
                    // KeyManagerFactory.getDefaultAlgorithm() gets. -Dbench.keyManager=PKIX selects
                    // SunJSSE's PKIX manager, which decrypts the PKCS12 entry on every handshake (see
                    // RESULTS.md); -Dbench.asyncKeyManager=bcjsse gives AsyncJSSE BCJSSE's manager.
                    if (isAsync() && "bcjsse".equals(System.getProperty("bench.asyncKeyManager"))) {
                        kmf = KeyManagerFactory.getInstance("PKIX", Holder.BCJSSE_JDK);
                    } else {
                        kmf = KeyManagerFactory.getInstance(
                                System.getProperty("bench.keyManager", KeyManagerFactory.getDefaultAlgorithm()), "SunJSSE");
                    }
                    break;
            }
            kmf.init(TestPki.keyStore(identity), TestPki.PASSWORD);
            km = kmf.getKeyManagers();
        }
        SSLContext ctx;
        switch (this) {
            case SUNJSSE:
                ctx = SSLContext.getInstance(protocol, "SunJSSE");
                break;
            case BCJSSE_JDK:
                ctx = SSLContext.getInstance(protocol, Holder.BCJSSE_JDK);
                break;
            case BCJSSE_BC:
                ctx = SSLContext.getInstance(protocol, Holder.BCJSSE_BC);
                break;
            default:
                ctx = SSLContext.getInstance(protocol, Holder.ASYNC);
                break;
        }
        // BCJSSE's default would ask for a "DEFAULT" SecureRandom, which only BC's provider serves when installed.
        ctx.init(km, tm, this == SUNJSSE ? null : new SecureRandom());
        if (isAsync()) {
            EngineCheck.requireRequested();
        }
        if (this == ASYNC_OFFLOAD) {
            AsyncJsse.setKeyOffloader(ctx, KeyOffloaders.executor(Holder.POOL));
        } else if (this == ASYNC_OFFLOAD_INLINE) {
            AsyncJsse.setKeyOffloader(ctx, KeyOffloaders.executor(Runnable::run));
        }
        return ctx;
    }

    /** One PKI (CA + EC and RSA leaves) per JVM, so every implementation signs with the same keys. */
    public static final class Pki {
        public static final TestPki CA = TestPki.create("AsyncJSSE bench CA");
        public static final TestPki.Identity EC = CA.issue(TestPki.KeyKind.EC_P256, "localhost", "localhost", "127.0.0.1");
        public static final TestPki.Identity RSA = CA.issue(TestPki.KeyKind.RSA_2048, "localhost", "localhost", "127.0.0.1");

        public static TestPki.Identity identity(String keyKind) {
            return keyKind.startsWith("EC") ? EC : RSA;
        }
    }

    private static final java.util.logging.Logger BC_LOGGER = java.util.logging.Logger.getLogger("org.bouncycastle");

    /** Pins the key-share groups of every implementation to X25519 first (BC 1.84 would otherwise offer hybrids). */
    public static void pinNamedGroups() {
        // BCJSSE logs every connection at INFO through java.util.logging; a server would configure
        // logging, so keep only warnings (held strongly: JUL keeps loggers weakly).
        BC_LOGGER.setLevel(java.util.logging.Level.WARNING);
        if (System.getProperty("jdk.tls.namedGroups") == null) {
            System.setProperty("jdk.tls.namedGroups", "x25519,secp256r1,secp384r1");
        }
    }
}
