package dev.asyncjsse.engine;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * The two places where the BCJSSE path reaches into Bouncy Castle's engine, because its public API has
 * no way to do what SunJSSE does: throw a failure from the {@code unwrap} that met it, and send
 * close_notify without closing the inbound side (a half close). Both degrade to Bouncy Castle's own
 * behaviour if the internals are not found.
 *
 * <p>Internal. Thread-safe; callers hold no lock of Bouncy Castle's, the methods take the engine's
 * monitor as Bouncy Castle's own methods do.
 */
final class BcInternals {

    private static final String ENGINE = "org.bouncycastle.jsse.provider.ProvSSLEngine";
    private static final Field DEFERRED = field(ENGINE, "deferredException");
    private static final Field PROTOCOL = field(ENGINE, "protocol");
    private static final Method RAISE_WARNING = raiseAlertWarning();
    private static final short CLOSE_NOTIFY = 0;

    private BcInternals() {}

    private static Field field(String className, String name) {
        try {
            Field f = Class.forName(className).getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Method raiseAlertWarning() {
        try {
            Method m = org.bouncycastle.tls.TlsProtocol.class.getDeclaredMethod("raiseAlertWarning", short.class, String.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Takes the failure Bouncy Castle's engine deferred from an {@code unwrap} to the next {@code wrap}
     * (a workaround BC keeps for old Tomcat versions), so that it can be thrown from the {@code unwrap}
     * that hit it, as SunJSSE does. The alert stays queued: the engine still wants to wrap. Call only
     * while no other thread uses {@code inner}.
     *
     * @return the deferred failure, or {@code null}
     */
    static SSLException takeDeferred(SSLEngine inner) {
        if (DEFERRED == null || !DEFERRED.getDeclaringClass().isInstance(inner)) {
            return null;
        }
        try {
            Object e = DEFERRED.get(inner);
            if (e != null) {
                DEFERRED.set(inner, null);
                return (SSLException) e;
            }
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /**
     * Queues a close_notify alert in an established connection without closing it, so that the peer's
     * remaining data and its own close_notify can still be read, as SunJSSE allows after
     * {@code closeOutbound()}. The next {@code wrap} produces the alert.
     *
     * @return false if it could not be done; then close the engine the usual way
     */
    static boolean sendCloseNotify(SSLEngine inner) {
        if (PROTOCOL == null || RAISE_WARNING == null || !PROTOCOL.getDeclaringClass().isInstance(inner)) {
            return false;
        }
        synchronized (inner) {
            try {
                Object protocol = PROTOCOL.get(inner);
                if (!(protocol instanceof org.bouncycastle.tls.TlsProtocol)
                        || ((org.bouncycastle.tls.TlsProtocol) protocol).isClosed()) {
                    return false;
                }
                RAISE_WARNING.invoke(protocol, CLOSE_NOTIFY, "Connection closed for output");
                return true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
    }
}
