package dev.asyncjsse.jca;

import java.security.PrivateKey;

/**
 * The application's private key under the algorithm name Bouncy Castle's TLS code expects (see
 * {@link TlsKeys}). Only AsyncJSSE's signature service sees it, and it signs with the real key.
 *
 * <p>Internal. Immutable.
 */
public final class TlsNamedPrivateKey implements PrivateKey {

    private static final long serialVersionUID = 1L;

    private final transient PrivateKey realKey;
    private final String algorithm;

    TlsNamedPrivateKey(PrivateKey realKey, String algorithm) {
        this.realKey = realKey;
        this.algorithm = algorithm;
    }

    PrivateKey realKey() {
        return realKey;
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return realKey.getFormat();
    }

    @Override
    public byte[] getEncoded() {
        return realKey.getEncoded();
    }

    @Override
    public String toString() {
        return "TlsNamedPrivateKey[" + algorithm + "]";
    }
}
