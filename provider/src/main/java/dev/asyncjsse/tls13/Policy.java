package dev.asyncjsse.tls13;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * What a set of {@link SSLParameters} enables for the native engine, in the server's order of
 * preference: cipher suites, key exchange groups and signature schemes, with whatever
 * {@code jdk.tls.disabledAlgorithms} names taken out. Computed once per distinct parameters by the
 * context ({@link NativeContext#policy}), never per handshake.
 *
 * <p>Groups come from {@code SSLParameters.getNamedGroups()} where the JDK has it (20 and later),
 * else from {@code jdk.tls.namedGroups}; schemes from {@code SSLParameters.getSignatureSchemes()}
 * (19 and later), else from {@code jdk.tls.server.SignatureSchemes}; the defaults are all this engine
 * serves.
 *
 * <p>Internal. Immutable.
 */
final class Policy {

    private static final MethodHandle NAMED_GROUPS = accessor("getNamedGroups");
    private static final MethodHandle SIGNATURE_SCHEMES = accessor("getSignatureSchemes");
    private static final KeyShareGroup[] DEFAULT_GROUPS = {
        KeyShareGroup.X25519, KeyShareGroup.SECP256R1, KeyShareGroup.SECP384R1, KeyShareGroup.X25519MLKEM768
    };

    final CipherSuite[] suites;
    final KeyShareGroup[] groups;
    /** Schemes this server signs CertificateVerify with and accepts from clients. */
    final SignatureScheme[] schemes;
    /** The names of {@link #schemes}, as a session reports them. */
    final String[] schemeNames;
    /** The body of a {@code signature_algorithms} extension listing {@link #schemes}. */
    final byte[] signatureAlgorithmsExtension;
    /** The inputs this was computed from, to recognise equal parameters. */
    private final List<Object> key;

    private Policy(CipherSuite[] suites, KeyShareGroup[] groups, SignatureScheme[] schemes, List<Object> key) {
        this.suites = suites;
        this.groups = groups;
        this.schemes = schemes;
        this.key = key;
        this.schemeNames = new String[schemes.length];
        MessageWriter w = new MessageWriter(2 + 2 * schemes.length);
        int list = w.open(2);
        for (int i = 0; i < schemes.length; i++) {
            schemeNames[i] = schemes[i].jsseName;
            w.u16(schemes[i].code);
        }
        w.close(list, 2);
        this.signatureAlgorithmsExtension = w.toByteArray();
    }

    private static MethodHandle accessor(String name) {
        try {
            return MethodHandles.publicLookup().findVirtual(SSLParameters.class, name, MethodType.methodType(String[].class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** The inputs of {@code params} that a policy depends on. */
    static List<Object> keyOf(SSLParameters params) {
        return List.of(Arrays.asList(orEmpty(params.getCipherSuites())), Arrays.asList(orEmpty(call(NAMED_GROUPS, params))),
                Arrays.asList(orEmpty(call(SIGNATURE_SCHEMES, params))));
    }

    boolean matches(List<Object> otherKey) {
        return key.equals(otherKey);
    }

    static Policy of(SSLParameters params, TlsCrypto crypto, TlsCrypto kemCrypto) {
        Set<String> disabled = disabledAlgorithms();
        List<CipherSuite> suites = new ArrayList<>();
        for (String name : orEmpty(params.getCipherSuites())) {
            CipherSuite s = CipherSuite.forName(name);
            if (s != null && !disabled.contains(name.toUpperCase(Locale.ROOT)) && !suites.contains(s)) {
                suites.add(s);
            }
        }
        List<KeyShareGroup> groups = new ArrayList<>();
        String[] groupNames = call(NAMED_GROUPS, params);
        if (groupNames == null) {
            String property = System.getProperty("jdk.tls.namedGroups");
            groupNames = property == null || property.isBlank() ? null : splitList(property);
        }
        for (KeyShareGroup g : groupNames == null ? Arrays.asList(DEFAULT_GROUPS) : named(groupNames)) {
            if (g.supportedBy(crypto, kemCrypto) && !disabled.contains(g.jsseName.toUpperCase(Locale.ROOT)) && !groups.contains(g)) {
                groups.add(g);
            }
        }
        List<SignatureScheme> schemes = new ArrayList<>();
        String[] schemeNames = call(SIGNATURE_SCHEMES, params);
        if (schemeNames == null) {
            String property = System.getProperty("jdk.tls.server.SignatureSchemes");
            schemeNames = property == null || property.isBlank() ? null : splitList(property);
        }
        for (SignatureScheme s : SignatureScheme.values()) {
            boolean wanted = schemeNames == null ? s.forCertificateVerify : containsIgnoreCase(schemeNames, s.ianaName());
            if (wanted && s.forCertificateVerify && !disabled.contains(s.ianaName().toUpperCase(Locale.ROOT))) {
                schemes.add(s);
            }
        }
        return new Policy(suites.toArray(new CipherSuite[0]), groups.toArray(new KeyShareGroup[0]),
                schemes.toArray(new SignatureScheme[0]), keyOf(params));
    }

    private static List<KeyShareGroup> named(String[] names) {
        List<KeyShareGroup> r = new ArrayList<>();
        for (String n : names) {
            KeyShareGroup g = KeyShareGroup.forName(n.trim());
            if (g != null) {
                r.add(g);
            }
        }
        return r;
    }

    private static String[] call(MethodHandle accessor, SSLParameters params) {
        if (accessor == null) {
            return null;
        }
        try {
            return (String[]) accessor.invokeExact(params);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The names {@code jdk.tls.disabledAlgorithms} lists, upper case; constraints with conditions are left to the JDK. */
    private static Set<String> disabledAlgorithms() {
        Set<String> names = new HashSet<>();
        String value = Security.getProperty("jdk.tls.disabledAlgorithms");
        if (value != null) {
            for (String entry : splitList(value)) {
                String name = entry.trim();
                if (!name.isEmpty() && name.indexOf(' ') < 0) {
                    names.add(name.toUpperCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    private static String[] splitList(String value) {
        String v = value.trim();
        if (v.length() > 1 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        return v.split(",");
    }

    private static boolean containsIgnoreCase(String[] names, String name) {
        for (String n : names) {
            if (n.trim().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static String[] orEmpty(String[] a) {
        return a == null ? new String[0] : a;
    }
}
