package dev.asyncjsse.jca;

import java.util.Locale;

/**
 * Translates the signature names Bouncy Castle's TLS code uses into the standard JCA names that
 * the JDK's providers, SunPKCS11, key offloaders and the JDK's key and trust managers understand.
 *
 * <p>Internal: public only for the engine's sessions. Thread-safe (stateless).
 */
public final class AlgorithmNames {

    private AlgorithmNames() {}

    /**
     * {@code bcNames} (as Bouncy Castle's sessions report the local and peer signature schemes, e.g.
     * {@code SHA256withRSAandMGF1}) under the names SunJSSE's sessions report for the same schemes
     * (e.g. {@code RSASSA-PSS}), in the same order, duplicates kept. The JDK's {@code PKIX} key and
     * trust managers build their algorithm constraints from these lists: under Bouncy Castle's names
     * they reject every certificate signed with RSASSA-PSS. {@code null} gives an empty array.
     */
    public static String[] forJsseSession(String[] bcNames) {
        if (bcNames == null) {
            return new String[0];
        }
        String[] standard = new String[bcNames.length];
        for (int i = 0; i < bcNames.length; i++) {
            standard[i] = standardSignatureName(bcNames[i]);
        }
        return standard;
    }

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
