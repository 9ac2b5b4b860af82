package dev.asyncjsse.engine;

import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Translates the key types Bouncy Castle asks key managers for into the ones the JDK's key managers
 * ({@code PKIX}, {@code NewSunX509}, {@code SunX509}) understand, and the authentication types it
 * hands trust managers into the ones SunJSSE hands them ({@link #jsseAuthType}).
 *
 * <p>Bouncy Castle asks for {@code EC/secp256r1} in TLS 1.3 and for the key exchange names
 * ({@code ECDHE_ECDSA}, {@code ECDHE_RSA}) in TLS 1.2, while the JDK's managers match the key
 * algorithm ({@code EC}, {@code RSA}, {@code EdDSA}). Bouncy Castle validates the chosen key against
 * its own key type afterwards (for example the curve), so a wider question here is safe.
 *
 * <p>Internal.
 */
final class KeyTypes {

    private KeyTypes() {}

    /** The key types to try, in order: Bouncy Castle's own first, then the JDK's equivalents. */
    static Set<String> candidates(String keyType) {
        Set<String> result = new LinkedHashSet<>();
        result.add(keyType);
        String upper = keyType.toUpperCase(Locale.ROOT);
        int slash = keyType.indexOf('/');
        if (slash > 0) {
            result.addAll(candidates(keyType.substring(0, slash)));
            return result;
        }
        switch (upper) {
            case "ECDHE_ECDSA":
            case "ECDH_ECDSA":
                result.add("EC");
                break;
            case "KE:RSA": // Bouncy Castle's key type for TLS 1.2 RSA key exchange
            case "ECDHE_RSA":
            case "DHE_RSA":
            case "ECDH_RSA":
            case "SRP_RSA":
                result.add("RSA");
                break;
            case "DHE_DSS":
            case "SRP_DSS":
                result.add("DSA");
                break;
            case "ED25519":
            case "ED448":
                result.add("EdDSA");
                result.add(keyType.equals("Ed25519") || keyType.equals("Ed448") ? keyType : capitalised(upper));
                break;
            default:
                break;
        }
        return result;
    }

    /**
     * The {@code authType} SunJSSE passes to a trust manager where Bouncy Castle passes
     * {@code bcAuthType} for {@code chain}: {@code RSA} for TLS 1.2 RSA key exchange (Bouncy Castle's
     * {@code KE:RSA}, which the JDK's trust manager rejects as unknown), and for a client's certificate
     * the key algorithm ({@code RSA}, {@code RSASSA-PSS}, {@code DSA}, {@code EC}, otherwise
     * {@code UNKNOWN}) where Bouncy Castle passes {@code TLS-client-auth}. Others are the same in both.
     */
    static String jsseAuthType(String bcAuthType, X509Certificate[] chain) {
        if ("KE:RSA".equals(bcAuthType)) {
            return "RSA";
        }
        if ("TLS-client-auth".equals(bcAuthType)) {
            String algorithm = chain != null && chain.length > 0 && chain[0] != null
                    ? chain[0].getPublicKey().getAlgorithm() : "";
            switch (algorithm) {
                case "RSA":
                case "RSASSA-PSS":
                case "DSA":
                case "EC":
                    return algorithm;
                default:
                    return "UNKNOWN";
            }
        }
        return bcAuthType;
    }

    private static String capitalised(String upper) {
        return "Ed" + upper.substring(2);
    }

    static Set<String> candidates(String[] keyTypes) {
        Set<String> result = new LinkedHashSet<>();
        for (String keyType : keyTypes) {
            if (keyType != null) {
                result.addAll(candidates(keyType));
            }
        }
        return result;
    }
}
