package dev.asyncjsse.tls13;

import java.security.AlgorithmParameters;
import java.security.cert.X509Certificate;
import java.security.spec.PSSParameterSpec;

/**
 * The TLS signature scheme a certificate is signed with, for {@code signature_algorithms_cert}
 * (RFC 8446, section 4.2.3), read from the certificate's signature algorithm OID.
 *
 * <p>Internal. Stateless.
 */
final class CertificateSignatures {

    private CertificateSignatures() {}

    /** The scheme code of {@code cert}'s signature, or 0 when it has none in TLS. */
    static int schemeOf(X509Certificate cert) {
        switch (cert.getSigAlgOID()) {
            case "1.2.840.10045.4.3.2":
                return SignatureScheme.ECDSA_SECP256R1_SHA256.code;
            case "1.2.840.10045.4.3.3":
                return SignatureScheme.ECDSA_SECP384R1_SHA384.code;
            case "1.2.840.10045.4.3.4":
                return SignatureScheme.ECDSA_SECP521R1_SHA512.code;
            case "1.2.840.10045.4.1":
                return SignatureScheme.ECDSA_SHA1.code;
            case "1.2.840.113549.1.1.11":
                return SignatureScheme.RSA_PKCS1_SHA256.code;
            case "1.2.840.113549.1.1.12":
                return SignatureScheme.RSA_PKCS1_SHA384.code;
            case "1.2.840.113549.1.1.13":
                return SignatureScheme.RSA_PKCS1_SHA512.code;
            case "1.2.840.113549.1.1.5":
                return SignatureScheme.RSA_PKCS1_SHA1.code;
            case "1.3.101.112":
                return SignatureScheme.ED25519.code;
            case "1.3.101.113":
                return SignatureScheme.ED448.code;
            case "1.2.840.113549.1.1.10":
                return pssScheme(cert);
            default:
                return 0;
        }
    }

    /** An RSASSA-PSS signature, as the rsae scheme of its hash; {@link #accepts} also takes the pss one. */
    private static int pssScheme(X509Certificate cert) {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("RSASSA-PSS");
            params.init(cert.getSigAlgParams());
            String hash = params.getParameterSpec(PSSParameterSpec.class).getDigestAlgorithm();
            switch (hash.toUpperCase(java.util.Locale.ROOT).replace("-", "")) {
                case "SHA256":
                    return SignatureScheme.RSA_PSS_RSAE_SHA256.code;
                case "SHA384":
                    return SignatureScheme.RSA_PSS_RSAE_SHA384.code;
                case "SHA512":
                    return SignatureScheme.RSA_PSS_RSAE_SHA512.code;
                default:
                    return 0;
            }
        } catch (java.security.GeneralSecurityException | java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Whether the client's list covers a signature of {@code scheme}. An RSASSA-PSS signature counts
     * as covered by either PSS scheme of its hash: which one applies depends on the issuer's key,
     * which the chain may not carry.
     */
    static boolean accepts(int[] clientSchemes, int scheme) {
        if (scheme == 0) {
            return false;
        }
        if (ClientHello.contains(clientSchemes, scheme)) {
            return true;
        }
        int pssTwin = scheme == SignatureScheme.RSA_PSS_RSAE_SHA256.code ? SignatureScheme.RSA_PSS_PSS_SHA256.code
                : scheme == SignatureScheme.RSA_PSS_RSAE_SHA384.code ? SignatureScheme.RSA_PSS_PSS_SHA384.code
                : scheme == SignatureScheme.RSA_PSS_RSAE_SHA512.code ? SignatureScheme.RSA_PSS_PSS_SHA512.code : 0;
        return pssTwin != 0 && ClientHello.contains(clientSchemes, pssTwin);
    }
}
