package dev.asyncjsse.engine;

import javax.net.ssl.ExtendedSSLSession;

/**
 * What every session an AsyncJSSE engine hands out answers alike, whichever protocol engine made it:
 * {@code getPeerCertificateChain} is refused, as SunJSSE refuses it since JDK 15 (its
 * {@code javax.security.cert} types are deprecated for removal). A protocol engine's sessions extend
 * this class, so that the rule cannot differ between engines.
 *
 * <p>Internal: for {@link ProtocolEngine}s, not applications. Stateless; subclasses say how
 * thread-safe they are.
 */
public abstract class SessionBase extends ExtendedSSLSession {

    /** For subclasses. */
    protected SessionBase() {}

    /**
     * Refused, as SunJSSE refuses it.
     *
     * @throws UnsupportedOperationException always; use {@code getPeerCertificates}
     */
    @SuppressWarnings("removal")
    @Override
    @Deprecated
    public final javax.security.cert.X509Certificate[] getPeerCertificateChain() {
        throw new UnsupportedOperationException("getPeerCertificateChain is deprecated and not supported; use getPeerCertificates");
    }
}
