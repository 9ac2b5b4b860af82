package dev.asyncjsse.jca;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECKey;
import java.security.spec.NamedParameterSpec;

/**
 * Bridges the key algorithm names of the JDK and of Bouncy Castle's TLS code. The JDK (15+) names
 * every Edwards-curve key {@code EdDSA}; Bouncy Castle's TLS code selects and signs with keys only
 * when they are named {@code Ed25519} or {@code Ed448}. AsyncJSSE hands Bouncy Castle a leaf
 * certificate parsed by its private Bouncy Castle provider (whose public key says {@code Ed25519})
 * and a {@link TlsNamedPrivateKey} around the application's key, which AsyncJSSE's own signature
 * service unwraps again.
 *
 * <p>Internal. Thread-safe.
 */
public final class TlsKeys {

    private TlsKeys() {}

    /** The name Bouncy Castle's TLS code expects for {@code key}: {@code Ed25519}/{@code Ed448} for EdDSA keys. */
    public static String tlsAlgorithm(Key key) {
        String algorithm = key.getAlgorithm();
        if (algorithm != null && algorithm.equalsIgnoreCase("EdDSA") && key instanceof EdECKey) {
            NamedParameterSpec params = ((EdECKey) key).getParams();
            if (params != null) {
                return params.getName();
            }
        }
        return algorithm;
    }

    /** {@code key}, or a wrapper named as Bouncy Castle expects when the names differ. */
    public static PrivateKey forTls(PrivateKey key) {
        if (key == null || key instanceof TlsNamedPrivateKey || key instanceof OffloadedPrivateKey) {
            return key;
        }
        String tls = tlsAlgorithm(key);
        return tls == null || tls.equals(key.getAlgorithm()) ? key : new TlsNamedPrivateKey(key, tls);
    }

    /** The application's key behind a {@link TlsNamedPrivateKey}; any other key unchanged. */
    static PrivateKey unwrap(PrivateKey key) {
        return key instanceof TlsNamedPrivateKey ? ((TlsNamedPrivateKey) key).realKey() : key;
    }

    /**
     * {@code chain}, with the leaf re-parsed by the private Bouncy Castle provider when its public key
     * is an EdDSA key (so its algorithm reads {@code Ed25519}/{@code Ed448}). The encoding is unchanged.
     */
    public static X509Certificate[] forTls(X509Certificate[] chain) {
        if (chain == null || chain.length == 0 || chain[0] == null) {
            return chain;
        }
        String algorithm = chain[0].getPublicKey().getAlgorithm();
        if (!"EdDSA".equalsIgnoreCase(algorithm)) {
            return chain;
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509", CryptoProviders.bouncyCastle());
            X509Certificate leaf = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(chain[0].getEncoded()));
            X509Certificate[] result = chain.clone();
            result[0] = leaf;
            return result;
        } catch (GeneralSecurityException e) {
            return chain;
        }
    }
}
