package dev.asyncjsse;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * The {@link SSLEngine} of the AsyncJSSE provider: every engine an AsyncJSSE {@code SSLContext}
 * creates is one. It follows the {@code SSLEngine} contract and adds OpenSSL-style asynchronous
 * key offload and a buffered handshake.
 *
 * <h2>Offload pending</h2>
 * When a {@link KeyOffloader} is configured, a handshake step that needs a private-key operation
 * runs in a job. If the operation does not finish at once, {@code wrap}/{@code unwrap} return the
 * <em>offload pending</em> result: {@code Status.OK}, {@code HandshakeStatus.NEED_TASK},
 * {@code bytesProduced() == 0}, and {@code bytesConsumed()} counting the input taken into the step.
 * {@link #isOffloadPending(SSLEngineResult)} recognises it. While a step is pending, further calls
 * return it again and consume nothing, {@link #getHandshakeStatus()} is {@code NEED_TASK}, and every
 * getter answers from state cached before the step, so no call blocks on the key operation.
 *
 * <p>Two ways to drive it:
 * <ul>
 * <li>Loops that know nothing of offload see {@code NEED_TASK} and run {@link #getDelegatedTask()},
 *     whose task waits until the step is done. Nothing else changes.
 * <li>Loops that know it register an {@link OffloadCallback}, stop driving the connection while it
 *     is pending, and call {@code wrap}/{@code unwrap} again after the callback.
 * </ul>
 *
 * <h2>Threading</h2>
 * Like any {@code SSLEngine}: one thread at a time drives {@code wrap}, one {@code unwrap} (they may be
 * different threads). Getters may be called from any thread. The callback runs on the thread that
 * ended the step (a job thread, or the offloader's thread that completed the operation), or on an
 * AsyncJSSE thread when the step ended during the call that reported it; never inside a call of this
 * engine, and never after a close has returned.
 *
 * <h2>Buffers</h2>
 * The engine never keeps a reference to a caller's buffer after a call returns. Input taken into a
 * pending step is copied into the engine first; that is what {@code bytesConsumed} of the pending
 * result counts.
 *
 * <h2>Failure and close</h2>
 * A failed, timed-out or cancelled offload fails the handshake with an
 * {@link javax.net.ssl.SSLHandshakeException} naming the cause, thrown from the next
 * {@code wrap}/{@code unwrap}; after it {@code wrap} produces the alert. {@link #closeOutbound()} or
 * {@link #closeInbound()} while a step is pending cancels the operation's stage and waits for the
 * step to stop (and for a running callback to return); no callback fires after that and {@code wrap}
 * produces the closing records. A step that has not stopped 30 seconds after the cancel (a key or
 * trust manager blocked in I/O) is abandoned: the close returns, the connection has failed, both sides
 * are done and no closing records are produced.
 */
public abstract class AsyncSSLEngine extends SSLEngine {

    /** For AsyncJSSE's own engine; applications obtain engines from an {@code SSLContext}. */
    protected AsyncSSLEngine() {
        super();
    }

    /** For AsyncJSSE's own engine; applications obtain engines from an {@code SSLContext}. */
    protected AsyncSSLEngine(String peerHost, int peerPort) {
        super(peerHost, peerPort);
    }

    /**
     * Sets the wake-up callback of this connection ({@code SSL_set_async_callback} with its argument),
     * replacing the context's default.
     *
     * @param callback the callback, or {@code null} to remove it
     * @param arg passed back to the callback unchanged; may be {@code null}
     */
    public abstract void setOffloadCallback(OffloadCallback callback, Object arg);

    /**
     * The status of the last asynchronous step ({@code SSL_get_async_status}).
     *
     * @return {@link AsyncStatus#UNSUPPORTED} without an offloader, otherwise the last step's status
     */
    public abstract AsyncStatus getAsyncStatus();

    /**
     * Tells whether a handshake step is parked (or waits for job capacity).
     *
     * @return true between the offload pending result and the completion of the step
     */
    public abstract boolean isOffloadPending();

    /**
     * Starts the handshake with bytes that were already read from the peer, for example by protocol
     * sniffing, STARTTLS, or a proxy that peeked at the ClientHello (Boost.Asio's buffered
     * {@code async_handshake}).
     *
     * <p>The engine takes the leading TLS handshake records of {@code buffered}, including a partial
     * record at its end whose rest will come from later {@code unwrap} input, and processes them in the
     * following {@code unwrap} calls before any new input. Bytes after them (application data of the
     * outer protocol, or anything that is not a handshake record) are left untouched.
     *
     * @param buffered bytes read ahead, from its position to its limit; not {@code null}
     * @return how many bytes the handshake took; {@code buffered.position()} has advanced by that much
     * @throws SSLException if the handshake cannot be started
     * @throws IllegalStateException if the client/server mode is not set
     */
    public abstract int beginHandshake(ByteBuffer buffered) throws SSLException;

    /**
     * Tells whether {@code result} is the offload pending result.
     *
     * @param result a result from an AsyncJSSE engine, or any other
     * @return true iff {@code result} reports a parked handshake step
     */
    public static boolean isOffloadPending(SSLEngineResult result) {
        return result instanceof OffloadPendingResult;
    }

    /**
     * Creates the offload pending result. For AsyncJSSE's engine implementation.
     *
     * @param bytesConsumed the input taken into the step
     * @return the result
     */
    protected static SSLEngineResult offloadPendingResult(int bytesConsumed) {
        return new OffloadPendingResult(bytesConsumed);
    }

    private static final class OffloadPendingResult extends SSLEngineResult {
        OffloadPendingResult(int bytesConsumed) {
            super(Status.OK, HandshakeStatus.NEED_TASK, bytesConsumed, 0);
        }

        @Override
        public String toString() {
            return "OFFLOAD_PENDING " + super.toString();
        }
    }
}
