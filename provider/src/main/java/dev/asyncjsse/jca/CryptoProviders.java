package dev.asyncjsse.jca;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Bouncy Castle's JCA provider, created once and held privately: it is never added to the JVM's
 * provider list, so installing AsyncJSSE changes nothing for other code.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class CryptoProviders {

    private CryptoProviders() {}

    private static final class Holder {
        static final Provider BC = new BouncyCastleProvider();
    }

    /** The private Bouncy Castle provider; created on first use (it takes a while to build). */
    public static Provider bouncyCastle() {
        return Holder.BC;
    }
}
