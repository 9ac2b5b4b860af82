package dev.asyncjsse.jca;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;

/**
 * Which of the JVM's providers serves a cipher transformation or a MAC, found once through the
 * provider list and remembered, so that later objects come straight from that provider. A look-up
 * through the list costs microseconds per object (the JCA walks the providers and, for a cipher,
 * every mode and padding form of the transformation), and a TLS 1.3 handshake creates several record
 * ciphers and about twenty HMACs. A MAC is cloned from an unused one of the remembered provider, which
 * skips the provider's service look-up and reflective construction as well. The list is read once per
 * algorithm: a provider installed ahead of the remembered one later is not seen.
 *
 * <p>Internal. Thread-safe: concurrent maps; two threads may both look an algorithm up the first time.
 */
final class ProviderCache {

    private static final Map<String, Provider> CIPHERS = new ConcurrentHashMap<>();
    /** An uninitialized MAC per algorithm, never used itself: new ones are its clones. */
    private static final Map<String, Mac> MAC_PROTOTYPES = new ConcurrentHashMap<>();

    private ProviderCache() {}

    /**
     * A new cipher for {@code transformation} from the JVM's providers.
     *
     * @throws NoSuchAlgorithmException if none has it (not remembered: the next call looks again)
     */
    static Cipher cipher(String transformation) throws NoSuchAlgorithmException, NoSuchPaddingException {
        Provider known = CIPHERS.get(transformation);
        if (known != null) {
            return Cipher.getInstance(transformation, known);
        }
        Cipher created = Cipher.getInstance(transformation);
        CIPHERS.put(transformation, created.getProvider());
        return created;
    }

    /**
     * A new MAC for {@code algorithm} from the JVM's providers.
     *
     * @throws NoSuchAlgorithmException if none has it (not remembered: the next call looks again)
     */
    static Mac mac(String algorithm) throws NoSuchAlgorithmException {
        Mac prototype = MAC_PROTOTYPES.get(algorithm);
        if (prototype != null) {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                return Mac.getInstance(algorithm, prototype.getProvider());
            }
        }
        Mac created = Mac.getInstance(algorithm);
        try {
            MAC_PROTOTYPES.put(algorithm, Mac.getInstance(algorithm, created.getProvider()));
        } catch (NoSuchAlgorithmException e) {
            // the provider that just served it refuses it by name: keep looking it up through the list
        }
        return created;
    }
}
