package dev.asyncjsse;

import dev.asyncjsse.engine.ContextConfig;
import dev.asyncjsse.engine.ContextHandle;
import java.nio.file.Path;
import java.security.KeyManagementException;
import java.time.Duration;
import java.util.List;
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
 * (milliseconds), and {@code dev.asyncjsse.tickets.keyFile} (a ticket key file, see
 * {@link #setTicketKeyFile}; read when the context is initialized). Code settings override them.
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

    /**
     * Sets the keys that protect the TLS 1.3 session tickets {@code context}'s servers issue, for a
     * fleet of servers that resume each other's sessions. The first key seals new tickets; every key
     * opens the tickets a client presents. This stops the automatic rotation of the context's own
     * random key (and any key file): rotate by calling again with the new key first and the old one
     * second, and drop the old one once a ticket lifetime (the server session timeout) has passed.
     *
     * <p>Each key is 48 bytes (a 16-byte key name, then 32 secret bytes) or 80 bytes (the layout of
     * nginx's and HAProxy's ticket key files: name, then 64 secret bytes); the name is public (every
     * ticket starts with it), the AES-256-GCM key is derived from the rest. Equal bytes give equal keys
     * on every server. Whoever holds a key can forge tickets the server accepts (a forged ticket can
     * claim any client certificate) and open the tickets it issued, whose resumption secret lets an
     * active attacker pose as the server to the client that resumes with it: keep keys as secret as
     * the server's private key.
     *
     * <p>The keys are copied. They apply from the next ticket sealed or opened, on every engine of the
     * context. Tickets are issued by the native TLS 1.3 server engine only (TLS 1.2 and the BCJSSE
     * path keep their own session cache).
     *
     * @param context an AsyncJSSE context, initialized or not
     * @param keys the keys, the sealing one first
     * @throws IllegalArgumentException if {@code context} is not an AsyncJSSE context, the list is
     *     {@code null} or empty, a key is {@code null} or of another length, or two keys have the same
     *     name; the message never shows key bytes. The keys are then unchanged.
     */
    public static void setTicketKeys(SSLContext context, List<byte[]> keys) {
        config(context).ticketKeys().setKeys(keys);
    }

    /**
     * Takes {@code context}'s ticket keys from {@code file}, a file several servers share: one Base64
     * key per line (48 or 80 bytes each, as {@link #setTicketKeys}), blank lines and lines starting
     * with {@code #} ignored; the first key seals, all open. The file is read now, and again when it
     * changes (looked at, at most once a second, when a ticket is sealed or opened; no thread). A
     * changed file that is malformed or unreadable is logged as a WARNING and the keys stay as they
     * were; so is a file readable by group or others, since its reader can forge and open tickets.
     * Rotate by writing the new key as the first line, keeping the old one after it for one ticket
     * lifetime.
     *
     * <p>The system or security property {@code dev.asyncjsse.tickets.keyFile=PATH} does the same for
     * every context when it is initialized, and {@code init} then fails with a
     * {@code KeyManagementException} if the file is malformed. Keys set in code win over the property.
     *
     * @param context an AsyncJSSE context, initialized or not
     * @param file the key file
     * @throws KeyManagementException if the file cannot be read or is malformed, naming the file and
     *     line (never key bytes); the keys are then unchanged
     * @throws IllegalArgumentException if {@code context} is not an AsyncJSSE context or {@code file}
     *     is {@code null}
     */
    public static void setTicketKeyFile(SSLContext context, Path file) throws KeyManagementException {
        config(context).ticketKeys().useKeyFile(file);
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
