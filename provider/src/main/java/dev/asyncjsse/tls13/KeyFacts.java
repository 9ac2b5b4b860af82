package dev.asyncjsse.tls13;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Locale;

/**
 * What decides which TLS 1.3 signature schemes a public key can serve (RFC 8446, section 4.2.3): its
 * algorithm, its curve, its modulus size, and any RSASSA-PSS restriction.
 *
 * <p>Internal. Immutable.
 */
final class KeyFacts {

    /** The key algorithm in JSSE's spelling: {@code EC}, {@code RSA}, {@code RSASSA-PSS}, {@code EdDSA}. */
    final String algorithm;
    private final int ecFieldBits;
    private final int rsaBits;
    private final PSSParameterSpec pssRestriction;
    private final boolean ed25519;

    KeyFacts(PublicKey key) {
        this.algorithm = jsseAlgorithm(key.getAlgorithm());
        this.ecFieldBits = key instanceof ECPublicKey ? ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize() : 0;
        this.rsaBits = key instanceof RSAKey ? ((RSAKey) key).getModulus().bitLength() : 0;
        AlgorithmParameterSpec params = key instanceof RSAKey ? ((RSAKey) key).getParams() : null;
        this.pssRestriction = params instanceof PSSParameterSpec ? (PSSParameterSpec) params : null;
        this.ed25519 = isEd25519(key);
    }

    private static String jsseAlgorithm(String a) {
        switch (a.toUpperCase(Locale.ROOT)) {
            case "EC":
            case "ECDSA":
                return "EC";
            case "RSASSA-PSS":
            case "RSAPSS":
                return "RSASSA-PSS";
            case "EDDSA":
            case "ED25519":
            case "ED448":
                return "EdDSA";
            default:
                return a.toUpperCase(Locale.ROOT);
        }
    }

    private static boolean isEd25519(PublicKey key) {
        if (key.getAlgorithm().equalsIgnoreCase("Ed25519")) {
            return true;
        }
        if (key instanceof EdECKey) {
            return "Ed25519".equalsIgnoreCase(((EdECKey) key).getParams().getName());
        }
        // a key of another provider calling itself EdDSA: an Ed25519 SubjectPublicKeyInfo has 44 bytes
        byte[] spki = key.getEncoded();
        return key.getAlgorithm().equalsIgnoreCase("EdDSA") && spki != null && spki.length == 44;
    }

    /** Whether the key can make or check a CertificateVerify signature of {@code scheme}. */
    boolean fits(SignatureScheme scheme) {
        if (!scheme.forCertificateVerify || !scheme.keyType.equals(algorithm)) {
            return false;
        }
        if (scheme.curveBits != 0) {
            return ecFieldBits == scheme.curveBits;
        }
        if (scheme == SignatureScheme.ED25519) {
            return ed25519;
        }
        if (scheme.isRsaPss()) {
            // the salt is as long as the hash, so the modulus needs 2 * hash + 2 bytes (RFC 8017, section 9.1.1)
            int hashBytes = scheme.params.getSaltLength();
            if (rsaBits < 8 * (2 * hashBytes + 2)) {
                return false;
            }
            return pssRestriction == null
                    || pssRestriction.getDigestAlgorithm().replace("-", "")
                            .equalsIgnoreCase(scheme.params.getDigestAlgorithm().replace("-", ""));
        }
        return true;
    }
}
