package dev.asyncjsse.jca;

import java.util.Locale;

/**
 * Translates the signature names Bouncy Castle's TLS code asks for into the standard JCA names that
 * the JDK's providers, SunPKCS11 and key offloaders understand.
 *
 * <p>Internal.
 */
final class AlgorithmNames {

    private AlgorithmNames() {}

    /** The standard name for {@code bcName}; PSS variants all become {@code RSASSA-PSS}, whose parameters say the rest. */
    static String standardSignatureName(String bcName) {
        String upper = bcName.toUpperCase(Locale.ROOT);
        if (upper.endsWith("ANDMGF1") || upper.endsWith("WITHRSASSA-PSS") || upper.equals("RSASSA-PSS")) {
            return "RSASSA-PSS";
        }
        if (upper.equals("NONEWITHECDSA")) {
            return "NONEwithECDSA";
        }
        if (upper.equals("NONEWITHRSA")) {
            return "NONEwithRSA";
        }
        if (upper.equals("ED25519")) {
            return "Ed25519";
        }
        if (upper.equals("ED448")) {
            return "Ed448";
        }
        int with = upper.indexOf("WITH");
        if (with > 0) {
            return upper.substring(0, with) + "with" + upper.substring(with + 4);
        }
        return bcName;
    }
}
