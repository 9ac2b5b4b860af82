package dev.asyncjsse.tls13;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;

/**
 * A certificate chain as the server sends it: the encoded Certificate message (RFC 8446, section
 * 4.4.2) and what the signature-scheme choice needs to know about the key, computed once per chain and
 * kept by the context ({@link NativeContext#credential}).
 *
 * <p>Internal. Immutable.
 */
final class Credential {

    final X509Certificate[] chain;
    /** The whole Certificate handshake message, header included, with an empty request context. */
    final byte[] certificateMessage;
    /** SHA-256 of the leaf certificate's encoding: how a session ticket names the credential. */
    final byte[] leafHash;
    /** What the leaf's key can sign with. */
    final KeyFacts key;
    /** The signature scheme of each certificate's signature except a self-signed last one; 0 where unknown. */
    final int[] chainSchemes;

    Credential(X509Certificate[] chain) throws CertificateEncodingException {
        this.chain = chain.clone();
        MessageWriter w = new MessageWriter(256 + 1200 * chain.length);
        int message = w.message(11);
        w.u8(0); // certificate_request_context: empty in the server's Certificate
        int list = w.open(3);
        for (X509Certificate cert : chain) {
            byte[] der = cert.getEncoded();
            int entry = w.open(3);
            w.bytes(der);
            w.close(entry, 3);
            w.u16(0); // no per-certificate extensions
        }
        w.close(list, 3);
        w.close(message, 3);
        this.certificateMessage = w.toByteArray();
        try {
            this.leafHash = java.security.MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        this.key = new KeyFacts(chain[0].getPublicKey());
        this.chainSchemes = new int[chain.length];
        for (int i = 0; i < chain.length; i++) {
            boolean selfSignedRoot = i == chain.length - 1 && i > 0
                    && chain[i].getSubjectX500Principal().equals(chain[i].getIssuerX500Principal());
            chainSchemes[i] = selfSignedRoot ? -1 : CertificateSignatures.schemeOf(chain[i]);
        }
    }

    /** Whether this key can sign CertificateVerify with {@code scheme} (RFC 8446, section 4.2.3). */
    boolean canSign(SignatureScheme scheme) {
        return key.fits(scheme);
    }

    /**
     * Whether every signature in the chain uses a scheme the client lists in
     * {@code signature_algorithms_cert} (section 4.2.3), or {@code true} when it sent none.
     */
    boolean chainAcceptableTo(int[] certSchemes) {
        if (certSchemes == null) {
            return true;
        }
        for (int scheme : chainSchemes) {
            if (scheme == -1) {
                continue;
            }
            if (!CertificateSignatures.accepts(certSchemes, scheme)) {
                return false;
            }
        }
        return true;
    }
}
