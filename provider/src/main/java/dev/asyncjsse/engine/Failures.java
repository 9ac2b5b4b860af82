package dev.asyncjsse.engine;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * Words for what went wrong with an offloaded operation, for exception messages.
 *
 * <p>Internal.
 */
final class Failures {

    private Failures() {}

    private static final java.lang.reflect.Field DEFERRED = deferredField();

    private static java.lang.reflect.Field deferredField() {
        try {
            java.lang.reflect.Field f = Class.forName("org.bouncycastle.jsse.provider.ProvSSLEngine")
                    .getDeclaredField("deferredException");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Takes the failure Bouncy Castle's engine deferred from an {@code unwrap} to the next {@code wrap}
     * (a workaround BC keeps for old Tomcat versions), so that the decorator can throw it from the
     * {@code unwrap} that hit it, as SunJSSE does. The alert stays queued: the engine still wants to wrap.
     * Call only while no other thread uses {@code inner}.
     *
     * @return the deferred failure, or {@code null}
     */
    static javax.net.ssl.SSLException takeDeferred(javax.net.ssl.SSLEngine inner) {
        if (DEFERRED == null || !DEFERRED.getDeclaringClass().isInstance(inner)) {
            return null;
        }
        try {
            Object e = DEFERRED.get(inner);
            if (e != null) {
                DEFERRED.set(inner, null);
                return (javax.net.ssl.SSLException) e;
            }
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
        return null;
    }

    static String describe(Throwable offloadFailure) {
        if (offloadFailure instanceof TimeoutException) {
            return "timed out: " + offloadFailure.getMessage();
        }
        if (offloadFailure instanceof CancellationException) {
            return "cancelled: " + offloadFailure.getMessage();
        }
        String message = offloadFailure.getMessage();
        return offloadFailure.getClass().getSimpleName() + (message != null ? ": " + message : "");
    }
}
