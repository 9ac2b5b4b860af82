package dev.asyncjsse.engine;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Translates the key types Bouncy Castle asks key managers for into the ones the JDK's key managers
 * ({@code PKIX}, {@code NewSunX509}, {@code SunX509}) understand.
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
