package dev.asyncjsse.engine;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.SecurityParameters;

/**
 * The elliptic curves on which a TLS 1.2 client accepts the server's ECDSA certificate.
 *
 * <p>RFC 8422 section 5.1: a server that receives the client's {@code supported_groups} "MUST NOT
 * negotiate the use of an ECC cipher suite unless it can complete the handshake while respecting the
 * choice of curves specified by the client"; section 5.3: the certificate's public key "MUST use a
 * curve and point format supported by the client". SunJSSE checks this after its key manager has
 * chosen; Bouncy Castle 1.84 does not, and sends a P-256 certificate to a client that offered only
 * X25519 (which then aborts). The key manager adapters therefore check the chosen certificate here
 * and, when it is on a curve the client lacks, look for another one. TLS 1.3 needs no such check:
 * there the signature scheme names the curve, and Bouncy Castle asks for a key of that curve.
 *
 * <p>Bouncy Castle keeps the client's groups in the handshake's {@link SecurityParameters}, which it
 * does not expose on its engine; they are read from its handshake session by reflection, through
 * {@code getBCHandshakeSessionImpl()} and the session's {@code securityParameters} field. If a
 * Bouncy Castle version lacks them, no restriction applies (Bouncy Castle's own behaviour) and one
 * warning is logged.
 *
 * <p>Internal. Instances are immutable; the static methods are thread-safe.
 */
final class ClientCurves {

    private static final System.Logger LOG = System.getLogger(ClientCurves.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final ClassValue<Method> HANDSHAKE_SESSION_IMPL = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getMethod("getBCHandshakeSessionImpl");
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException | RuntimeException e) {
                return null;
            }
        }
    };
    private static final ClassValue<Field> SECURITY_PARAMETERS = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    Field f = c.getDeclaredField("securityParameters");
                    if (SecurityParameters.class.isAssignableFrom(f.getType())) {
                        f.setAccessible(true);
                        return f;
                    }
                } catch (NoSuchFieldException e) {
                    // look in the superclass
                } catch (RuntimeException e) {
                    return null;
                }
            }
            return null;
        }
    };

    private final Set<ASN1ObjectIdentifier> curves;

    private ClientCurves(Set<ASN1ObjectIdentifier> curves) {
        this.curves = curves;
    }

    /**
     * The client's curves for a server key of Bouncy Castle's {@code keyType}, asked for on
     * {@code connection} (Bouncy Castle's engine or socket), or {@code null} when nothing restricts
     * the choice: not a TLS 1.2 ECDSA key type, or the client sent no {@code supported_groups}.
     */
    static ClientCurves forServerKeyType(String keyType, Object connection) {
        if (connection == null || !("ECDHE_ECDSA".equals(keyType) || "ECDH_ECDSA".equals(keyType))) {
            return null;
        }
        int[] groups = clientSupportedGroups(connection);
        if (groups == null) {
            return null;
        }
        Set<ASN1ObjectIdentifier> curves = new HashSet<>();
        for (int group : groups) {
            String name = NamedGroup.refersToAnECDSACurve(group) ? NamedGroup.getCurveName(group) : null;
            ASN1ObjectIdentifier oid = name != null ? ECNamedCurveTable.getOID(name) : null;
            if (oid != null) {
                curves.add(oid);
            }
        }
        return new ClientCurves(curves);
    }

    /**
     * Whether the leaf of {@code chain} may be sent: its key is not an EC key, or it is on a named
     * curve the client listed (an EC key with explicit parameters never is: RFC 8422 section 5.1.1
     * deprecates them).
     */
    boolean permits(X509Certificate[] chain) {
        if (chain == null || chain.length == 0 || chain[0] == null) {
            return false;
        }
        PublicKey key = chain[0].getPublicKey();
        if (!"EC".equalsIgnoreCase(key.getAlgorithm())) {
            return true;
        }
        try {
            ASN1Encodable parameters = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
            return parameters instanceof ASN1ObjectIdentifier && curves.contains(parameters);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The first of {@code aliases} whose chain ({@code chains}) is valid now and {@link #permits
     * permitted}, or {@code null}. For when the key manager's own choice is on a curve the client
     * lacks: the key manager is not told about curves, so its other candidates are asked for.
     */
    String firstPermitted(String[] aliases, Function<String, X509Certificate[]> chains) {
        if (aliases == null) {
            return null;
        }
        for (String alias : aliases) {
            X509Certificate[] chain = alias != null ? chains.apply(alias) : null;
            if (chain != null && permits(chain) && validNow(chain[0])) {
                return alias;
            }
        }
        return null;
    }

    private static boolean validNow(X509Certificate leaf) {
        try {
            leaf.checkValidity();
            return true;
        } catch (CertificateException e) {
            return false;
        }
    }

    private static int[] clientSupportedGroups(Object connection) {
        Method sessionImpl = HANDSHAKE_SESSION_IMPL.get(connection.getClass());
        if (sessionImpl == null) {
            return unavailable(connection.getClass().getName() + " has no getBCHandshakeSessionImpl()", null);
        }
        try {
            Object session = sessionImpl.invoke(connection);
            if (session == null) {
                return null;
            }
            Field field = SECURITY_PARAMETERS.get(session.getClass());
            if (field == null) {
                return unavailable(session.getClass().getName() + " has no securityParameters field", null);
            }
            SecurityParameters parameters = (SecurityParameters) field.get(session);
            return parameters != null ? parameters.getClientSupportedGroups() : null;
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            return unavailable("reading the handshake's security parameters failed", e);
        }
    }

    private static int[] unavailable(String why, Throwable cause) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the TLS 1.2 client's supported_groups from Bouncy Castle ("
                    + why + "); ECDSA certificates are not checked against them", cause);
        }
        return null;
    }
}
