package dev.asyncjsse.jca;

import dev.asyncjsse.monitor.BouncyCastleLogs;
import java.security.Provider;
import java.security.SecureRandom;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * The private BCJSSE provider that AsyncJSSE's engines decorate. It is built once, with
 * {@link AsyncJcaJceHelper} as its JCA helper, and never installed: BCJSSE and Bouncy Castle's JCA
 * provider stay invisible to the rest of the JVM.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class TlsStack {

    private TlsStack() {}

    private static final class Holder {
        static final AsyncTlsCryptoProvider CRYPTO = new AsyncTlsCryptoProvider();
        static final Provider BCJSSE = build();

        private static Provider build() {
            BouncyCastleLogs.quiet();
            return new BouncyCastleJsseProvider(false, CRYPTO);
        }
    }

    /** The BCJSSE provider whose {@code SSLContext}s AsyncJSSE wraps. */
    public static Provider bcjsse() {
        return Holder.BCJSSE;
    }

    /**
     * A Bouncy Castle {@code TlsCrypto} with the same primitive choice as the BCJSSE path, drawing its
     * randomness from {@code random}; for AsyncJSSE's own TLS 1.3 engine, one per {@code SSLContext}.
     */
    public static TlsCrypto crypto(SecureRandom random) {
        return Holder.CRYPTO.create(random);
    }

    private static final class AsyncTlsCryptoProvider extends JcaTlsCryptoProvider {
        private final JcaJceHelper helper = new AsyncJcaJceHelper();

        @Override
        public JcaJceHelper getHelper() {
            return helper;
        }

        /**
         * Keys and nonces from two independent {@link ContextRandom}s: the context's one (AsyncJSSE's
         * contexts always pass theirs) and one seeded from it. Bouncy Castle's default would wrap
         * {@code random} for nonces behind a lock of its own and draw seeds for every connection's
         * nonce generator from it.
         */
        @Override
        public JcaTlsCrypto create(SecureRandom random) {
            ContextRandom keys = random instanceof ContextRandom ? (ContextRandom) random : ContextRandom.create(random, "keys");
            return create(keys, ContextRandom.create(keys, "nonces"));
        }

        @Override
        public JcaTlsCrypto create(SecureRandom keyRandom, SecureRandom nonceRandom) {
            return new AsyncTlsCrypto(getHelper(), getAltHelper(), keyRandom, nonceRandom);
        }
    }
}
