package dev.asyncjsse.jca;

import java.security.PrivateKey;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
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

    /**
     * The key to give Bouncy Castle's provider in place of {@code key}: its own form of a JDK EC
     * private key (signing with a foreign EC key costs it about three times as much), cached per key
     * object; any other key unchanged.
     */
    public static PrivateKey forBouncyCastle(PrivateKey key) {
        return BcPrivateKeys.forBouncyCastle(key);
    }

    /**
     * A new record cipher for {@code transformation} ({@code AES/GCM/NoPadding} or
     * {@code ChaCha20-Poly1305}) from the implementation {@link PrimitiveChooser} prefers, or from
     * Bouncy Castle's provider when the JDK lacks it.
     *
     * @throws NoSuchAlgorithmException if neither side has it
     */
    public static Cipher aeadCipher(String transformation) throws NoSuchAlgorithmException {
        PrimitiveChooser.Family family = transformation.equalsIgnoreCase("ChaCha20-Poly1305")
                ? PrimitiveChooser.Family.CHACHA20 : PrimitiveChooser.cipherFamily(transformation);
        try {
            if (family != null && PrimitiveChooser.source(family) == PrimitiveChooser.Source.BC) {
                return Cipher.getInstance(transformation, Holder.BC);
            }
            try {
                return ProviderCache.cipher(transformation);
            } catch (NoSuchAlgorithmException e) {
                return Cipher.getInstance(transformation, Holder.BC);
            }
        } catch (NoSuchPaddingException e) {
            throw new NoSuchAlgorithmException(transformation + ": " + e.getMessage(), e);
        }
    }

    /**
     * The provider AsyncJSSE's TLS stack uses for signatures of {@code jcaAlgorithm} with software
     * keys ({@link PrimitiveChooser}'s choice), or {@code null} when that is the JDK's.
     * The executor key offloader signs software keys with the same one, so offload costs no speed.
     */
    public static Provider preferredSignatureProvider(String jcaAlgorithm) {
        PrimitiveChooser.Family family = PrimitiveChooser.signatureFamily(jcaAlgorithm);
        return family != null && PrimitiveChooser.source(family) == PrimitiveChooser.Source.BC ? Holder.BC : null;
    }
}
