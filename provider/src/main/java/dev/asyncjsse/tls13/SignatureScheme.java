package dev.asyncjsse.tls13;

import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * Signature schemes (RFC 8446, section 4.2.3): the ones the native engine signs and verifies
 * CertificateVerify with, and the older ones it only recognises in certificates and in a peer's
 * list (for {@code signature_algorithms_cert} and for the names a session reports).
 *
 * <p>Internal. Immutable.
 */
enum SignatureScheme {
    ECDSA_SECP256R1_SHA256(0x0403, "SHA256withECDSA", "SHA256withECDSA", null, "EC", 256, true),
    ECDSA_SECP384R1_SHA384(0x0503, "SHA384withECDSA", "SHA384withECDSA", null, "EC", 384, true),
    ECDSA_SECP521R1_SHA512(0x0603, "SHA512withECDSA", "SHA512withECDSA", null, "EC", 521, false),
    ED25519(0x0807, "Ed25519", "Ed25519", null, "EdDSA", 0, true),
    ED448(0x0808, "Ed448", "Ed448", null, "EdDSA", 0, false),
    RSA_PSS_RSAE_SHA256(0x0804, "RSASSA-PSS", "RSASSA-PSS", pss("SHA-256", 32), "RSA", 0, true),
    RSA_PSS_RSAE_SHA384(0x0805, "RSASSA-PSS", "RSASSA-PSS", pss("SHA-384", 48), "RSA", 0, true),
    RSA_PSS_RSAE_SHA512(0x0806, "RSASSA-PSS", "RSASSA-PSS", pss("SHA-512", 64), "RSA", 0, true),
    RSA_PSS_PSS_SHA256(0x0809, "RSASSA-PSS", "RSASSA-PSS", pss("SHA-256", 32), "RSASSA-PSS", 0, true),
    RSA_PSS_PSS_SHA384(0x080a, "RSASSA-PSS", "RSASSA-PSS", pss("SHA-384", 48), "RSASSA-PSS", 0, true),
    RSA_PSS_PSS_SHA512(0x080b, "RSASSA-PSS", "RSASSA-PSS", pss("SHA-512", 64), "RSASSA-PSS", 0, true),
    RSA_PKCS1_SHA256(0x0401, "SHA256withRSA", "SHA256withRSA", null, "RSA", 0, false),
    RSA_PKCS1_SHA384(0x0501, "SHA384withRSA", "SHA384withRSA", null, "RSA", 0, false),
    RSA_PKCS1_SHA512(0x0601, "SHA512withRSA", "SHA512withRSA", null, "RSA", 0, false),
    ECDSA_SHA1(0x0203, "SHA1withECDSA", "SHA1withECDSA", null, "EC", 0, false),
    RSA_PKCS1_SHA1(0x0201, "SHA1withRSA", "SHA1withRSA", null, "RSA", 0, false);

    final int code;
    /** The name SunJSSE reports in {@code ExtendedSSLSession.get*SupportedSignatureAlgorithms}. */
    final String jsseName;
    final String jcaAlgorithm;
    /** Parameters to set on the JCA signature, or {@code null}. Immutable. */
    final PSSParameterSpec params;
    /** The key type a JDK key manager is asked for. */
    final String keyType;
    /** For ECDSA in TLS 1.3 the curve is part of the scheme (section 4.2.3): its field size in bits. */
    final int curveBits;
    /** Whether TLS 1.3 CertificateVerify may use it (and this engine implements it). */
    final boolean forCertificateVerify;
    /**
     * The narrower key type some key managers (Bouncy Castle's) know instead of {@link #keyType}: the
     * curve for ECDSA, the curve name for EdDSA; {@code null} where there is none.
     */
    final String narrowKeyType;

    SignatureScheme(int code, String jsseName, String jcaAlgorithm, PSSParameterSpec params, String keyType,
                    int curveBits, boolean forCertificateVerify) {
        this.code = code;
        this.jsseName = jsseName;
        this.jcaAlgorithm = jcaAlgorithm;
        this.params = params;
        this.keyType = keyType;
        this.curveBits = curveBits;
        this.forCertificateVerify = forCertificateVerify;
        this.narrowKeyType = curveBits == 256 ? "EC/secp256r1" : curveBits == 384 ? "EC/secp384r1"
                : curveBits == 521 ? "EC/secp521r1" : "EdDSA".equals(keyType) ? jsseName : null;
    }

    /** The key type a handshake asks the key manager once for, for every scheme it shares: the narrowest one. */
    String askedKeyType() {
        return narrowKeyType != null ? narrowKeyType : keyType;
    }

    private static PSSParameterSpec pss(String hash, int saltLength) {
        // RFC 8446, section 4.2.3: MGF1 with the same hash, and a salt as long as the digest.
        return new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLength, PSSParameterSpec.TRAILER_FIELD_BC);
    }

    AlgorithmParameterSpec parameters() {
        return params;
    }

    boolean isRsaPss() {
        return params != null;
    }

    static SignatureScheme forCode(int code) {
        for (SignatureScheme s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }

    /** The IANA name, as {@code jdk.tls.signatureSchemes} and {@code SSLParameters} spell it. */
    String ianaName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static SignatureScheme forIanaName(String name) {
        for (SignatureScheme s : values()) {
            if (s.ianaName().equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }
}
