package dev.asyncjsse.jca;

import dev.asyncjsse.KeyOffloader;
import java.security.PrivateKey;

/**
 * The opaque stand-in that the key managers hand to Bouncy Castle when offload is on. It carries
 * no key material: only the application's real key, which it never exposes to the TLS code, and the
 * offloader that performs operations with it.
 *
 * <p>Only AsyncJSSE's own Signature and Cipher services accept it; any other provider rejects it as
 * an unknown key class, so an operation can never silently run on the caller's thread.
 *
 * <p>Internal: not part of the public API. Immutable and thread-safe.
 */
public final class OffloadedPrivateKey implements PrivateKey {

    private static final long serialVersionUID = 1L;

    private final transient PrivateKey realKey;
    private final transient KeyOffloader offloader;
    private final String algorithm;

    public OffloadedPrivateKey(PrivateKey realKey, KeyOffloader offloader) {
        this.realKey = realKey;
        this.offloader = offloader;
        this.algorithm = TlsKeys.tlsAlgorithm(realKey);
    }

    /** The application's key, for the offloader only. */
    PrivateKey realKey() {
        return realKey;
    }

    KeyOffloader offloader() {
        return offloader;
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    /** @return {@code null}: the key is not exportable through this object */
    @Override
    public String getFormat() {
        return null;
    }

    /** @return {@code null}: the key is not exportable through this object */
    @Override
    public byte[] getEncoded() {
        return null;
    }

    @Override
    public String toString() {
        return "OffloadedPrivateKey[" + algorithm + "]";
    }
}
