package dev.asyncjsse;

import dev.asyncjsse.engine.ContextConfig;
import dev.asyncjsse.engine.ContextHandle;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSessionContext;

/**
 * Configures asynchronous key offload on an {@code SSLContext} obtained from
 * {@code SSLContext.getInstance(..., "AsyncJSSE")} (OpenSSL's {@code SSL_CTX_*} settings).
 *
 * <p>Settings may be changed before or after {@code init}, from any thread. They apply to engines
 * created afterwards; engines that exist keep their callback but see a new offloader and timeout
 * from their next handshake step on.
 *
 * <p>Without code, the same settings come from system or security properties:
 * {@code dev.asyncjsse.offload} ({@code executor}, {@code executor:N} or a {@link KeyOffloader}
 * class name), {@code dev.asyncjsse.offload.latency} and {@code dev.asyncjsse.offload.timeout}
 * (milliseconds). Code settings override them.
 */
public final class AsyncJsse {

    private AsyncJsse() {}

    /**
     * Sends every private-key operation of {@code context}'s key managers to {@code offloader}.
     *
     * @param context an AsyncJSSE context
     * @param offloader the offloader, or {@code null} for synchronous operation
     * @throws IllegalArgumentException if {@code context} is not an AsyncJSSE context
     */
    public static void setKeyOffloader(SSLContext context, KeyOffloader offloader) {
        config(context).setOffloader(offloader);
    }

    /**
     * Sets the callback that new engines of {@code context} start with
     * ({@code SSL_CTX_set_async_callback} and its argument).
     *
     * @param context an AsyncJSSE context
     * @param callback the callback, or {@code null} for none
     * @param arg passed to the callback; may be {@code null}
     * @throws IllegalArgumentException if {@code context} is not an AsyncJSSE context
     */
    public static void setDefaultOffloadCallback(SSLContext context, OffloadCallback callback, Object arg) {
        config(context).setDefaultCallback(callback, arg);
    }

    /**
     * Sets how long one offloaded operation may take before its handshake fails.
     *
     * @param context an AsyncJSSE context
     * @param timeout a positive duration
     * @throws IllegalArgumentException if {@code context} is not an AsyncJSSE context or the
     *     timeout is not positive
     */
    public static void setOffloadTimeout(SSLContext context, Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the offload timeout must be positive, was " + timeout);
        }
        config(context).setOffloadTimeout(timeout);
    }

    /**
     * Names {@code context} for operators: its JMX MBean becomes
     * {@code dev.asyncjsse:type=Offload,name=NAME} (moving if it was registered already) and its log
     * lines say {@code context NAME}. Unnamed contexts are called by their protocol and a number,
     * e.g. {@code TLS-3}. If another context has the name, the MBean gets {@code NAME-2}.
     *
     * @param context an AsyncJSSE context
     * @param name a non-blank name
     * @throws IllegalArgumentException if {@code context} is not an AsyncJSSE context or the name is blank
     */
    public static void setMonitoringName(SSLContext context, String name) {
        config(context).monitor().setName(name);
    }

    private static ContextConfig config(SSLContext context) {
        if (context == null) {
            throw new IllegalArgumentException("context must not be null");
        }
        SSLSessionContext sessions = context.getServerSessionContext();
        if (sessions instanceof ContextHandle) {
            return ((ContextHandle) sessions).config();
        }
        throw new IllegalArgumentException("this SSLContext comes from provider '" + context.getProvider().getName()
                + "', not AsyncJSSE; obtain it with SSLContext.getInstance(\"TLS\", \"AsyncJSSE\")");
    }
}
