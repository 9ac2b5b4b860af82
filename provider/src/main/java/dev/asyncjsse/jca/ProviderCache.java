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
 * ciphers and about twenty HMACs. The list is read once per algorithm: a provider installed ahead of
 * the remembered one later is not seen.
 *
 * <p>Internal. Thread-safe: concurrent maps; two threads may both look an algorithm up the first time.
 */
final class ProviderCache {

    private static final Map<String, Provider> CIPHERS = new ConcurrentHashMap<>();
    private static final Map<String, Provider> MACS = new ConcurrentHashMap<>();

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
        Provider known = MACS.get(algorithm);
        if (known != null) {
            return Mac.getInstance(algorithm, known);
        }
        Mac created = Mac.getInstance(algorithm);
        MACS.put(algorithm, created.getProvider());
        return created;
    }
}
