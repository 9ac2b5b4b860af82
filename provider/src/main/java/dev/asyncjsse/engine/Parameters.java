package dev.asyncjsse.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLParameters;

/**
 * Copies, merges and validates {@link SSLParameters} the way SunJSSE's engine does: unknown suite or
 * protocol names are rejected with an {@code IllegalArgumentException} naming them, {@code null}
 * lists in {@code setSSLParameters} leave the current value alone, and the rest is taken as given.
 *
 * <p>The named groups and signature schemes of JDK 19/20 are reached through a runtime-checked seam,
 * since this code is compiled for Java 17.
 *
 * <p>Internal. Stateless and thread-safe.
 */
final class Parameters {

    private static final MethodHandle GET_NAMED_GROUPS = accessor("getNamedGroups", false);
    private static final MethodHandle SET_NAMED_GROUPS = accessor("setNamedGroups", true);
    private static final MethodHandle GET_SIGNATURE_SCHEMES = accessor("getSignatureSchemes", false);
    private static final MethodHandle SET_SIGNATURE_SCHEMES = accessor("setSignatureSchemes", true);

    private Parameters() {}

    private static MethodHandle accessor(String name, boolean setter) {
        MethodType type = setter ? MethodType.methodType(void.class, String[].class) : MethodType.methodType(String[].class);
        try {
            return MethodHandles.publicLookup().findVirtual(SSLParameters.class, name, type);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** A deep copy: every field, so that a change to one object never shows in the other. */
    static SSLParameters copy(SSLParameters from) {
        SSLParameters to = new SSLParameters();
        String[] suites = from.getCipherSuites();
        to.setCipherSuites(suites == null ? null : suites.clone());
        String[] protocols = from.getProtocols();
        to.setProtocols(protocols == null ? null : protocols.clone());
        if (from.getNeedClientAuth()) {
            to.setNeedClientAuth(true);
        } else {
            to.setWantClientAuth(from.getWantClientAuth());
        }
        to.setAlgorithmConstraints(from.getAlgorithmConstraints());
        to.setEndpointIdentificationAlgorithm(from.getEndpointIdentificationAlgorithm());
        if (from.getServerNames() != null) {
            to.setServerNames(from.getServerNames());
        }
        if (from.getSNIMatchers() != null) {
            to.setSNIMatchers(from.getSNIMatchers());
        }
        to.setUseCipherSuitesOrder(from.getUseCipherSuitesOrder());
        to.setEnableRetransmissions(from.getEnableRetransmissions());
        to.setMaximumPacketSize(from.getMaximumPacketSize());
        to.setApplicationProtocols(from.getApplicationProtocols());
        copyNames(from, to, GET_NAMED_GROUPS, SET_NAMED_GROUPS);
        copyNames(from, to, GET_SIGNATURE_SCHEMES, SET_SIGNATURE_SCHEMES);
        return to;
    }

    private static void copyNames(SSLParameters from, SSLParameters to, MethodHandle getter, MethodHandle setter) {
        if (getter == null || setter == null) {
            return;
        }
        try {
            String[] names = (String[]) getter.invoke(from);
            setter.invoke(to, names == null ? null : (Object) names.clone());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot copy SSLParameters: " + t, t);
        }
    }

    /**
     * {@code current} with {@code update} applied as {@code SSLEngine.setSSLParameters} applies it.
     *
     * @throws IllegalArgumentException if {@code update} names an unsupported suite or protocol;
     *     nothing changes then
     */
    static SSLParameters merge(SSLParameters current, SSLParameters update, Set<String> supportedSuites,
                               Set<String> supportedProtocols) {
        String[] suites = update.getCipherSuites();
        if (suites != null) {
            checkSuites(suites, supportedSuites);
        }
        String[] protocols = update.getProtocols();
        if (protocols != null) {
            checkProtocols(protocols, supportedProtocols);
        }
        SSLParameters merged = copy(update);
        merged.setCipherSuites(suites != null ? suites.clone() : current.getCipherSuites());
        merged.setProtocols(protocols != null ? protocols.clone() : current.getProtocols());
        if (update.getAlgorithmConstraints() == null) {
            merged.setAlgorithmConstraints(current.getAlgorithmConstraints());
        }
        if (update.getServerNames() == null && current.getServerNames() != null) {
            merged.setServerNames(current.getServerNames());
        }
        if (update.getSNIMatchers() == null && current.getSNIMatchers() != null) {
            merged.setSNIMatchers(current.getSNIMatchers());
        }
        return merged;
    }

    /** {@code current} with new enabled suites, checked. */
    static SSLParameters withSuites(SSLParameters current, String[] suites, Set<String> supported) {
        checkSuites(nonNull(suites, "cipher suites"), supported);
        SSLParameters changed = copy(current);
        changed.setCipherSuites(suites.clone());
        return changed;
    }

    /** {@code current} with new enabled protocols, checked. */
    static SSLParameters withProtocols(SSLParameters current, String[] protocols, Set<String> supported) {
        checkProtocols(nonNull(protocols, "protocols"), supported);
        SSLParameters changed = copy(current);
        changed.setProtocols(protocols.clone());
        return changed;
    }

    private static String[] nonNull(String[] names, String what) {
        if (names == null) {
            throw new IllegalArgumentException("the " + what + " must not be null");
        }
        return names;
    }

    private static void checkSuites(String[] suites, Set<String> supported) {
        check(suites, supported, "cipher suite", false);
    }

    private static void checkProtocols(String[] protocols, Set<String> supported) {
        check(protocols, supported, "protocol", true);
    }

    /** @param listSupported whether the message names the supported ones (built only on failure: engines set these per connection) */
    private static void check(String[] names, Set<String> supported, String what, boolean listSupported) {
        List<String> unsupported = unsupported(names, supported, what);
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("Unsupported " + what + (unsupported.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", unsupported) + (listSupported ? " (supported: " + String.join(", ", supported) + ")" : ""));
        }
    }

    private static List<String> unsupported(String[] names, Set<String> supported, String what) {
        List<String> unsupported = new ArrayList<>();
        for (String name : names) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a " + what + " name must not be null or empty");
            }
            if (!supported.contains(name)) {
                unsupported.add(name);
            }
        }
        return unsupported;
    }
}
