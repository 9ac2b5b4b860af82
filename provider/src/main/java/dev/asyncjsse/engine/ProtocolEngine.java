package dev.asyncjsse.engine;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * A TLS protocol engine behind the front ({@link AsyncEngine}): the BCJSSE path, or a native engine.
 * The front owns everything that is the same for every engine (argument checks, the client/server
 * mode, {@code SSLParameters}, the offload-pending result, the callback, {@code AsyncStatus}, the
 * delegated task, close while pending, FINISHED exactly once, the inbound stash); an engine only
 * speaks the protocol.
 *
 * <h2>Threading</h2>
 * The front calls the <em>driving</em> methods ({@link #beginHandshake}, {@link #wrap},
 * {@link #unwrap}, {@link #closeInbound}, {@link #closeOutbound}, {@link #configure}) with its lock
 * held, one at a time, on the application's thread. While a {@link Step#waiting waiting} step's
 * {@link EngineWait} is not done, the front calls no driving method except {@link #configure} (which
 * the engine applies when it can) and, on close, the close methods once the cancelled wait is done.
 * If it is not done within the front's bound (30 s), the front drops the engine and never calls it
 * again. The <em>query</em> methods ({@link #handshakeStatus}, the session getters,
 * {@link #isInboundDone}, {@link #isOutboundDone}) may be called from any thread, without the lock,
 * concurrently with a waiting step: they must not block on it and must not change state.
 *
 * <h2>Buffers</h2>
 * The buffers of a driving call belong to the engine for the duration of the call only. Input taken
 * into a waiting step is copied first and counted in {@link Step#bytesConsumed()}.
 *
 * <h2>Results and failure</h2>
 * An engine reports {@code FINISHED} on the call that completes the handshake (the front drops any
 * repeat). A wait belongs to the handshake: after the call that reported {@code FINISHED}, an engine
 * returns results only (the front refuses a later wait with an {@code IllegalStateException}). A
 * failure is thrown as the {@code SSLException} the application should see: an
 * {@code SSLHandshakeException} for a failed handshake, an {@code SSLProtocolException} for a broken
 * record layer, naming the cause; afterwards {@code wrap} produces the alert.
 */
public interface ProtocolEngine {

    /**
     * Starts the handshake: a client prepares its first flight. Driving method.
     *
     * @throws SSLException if the handshake cannot start
     */
    void beginHandshake() throws SSLException;

    /**
     * Produces records: handshake messages, application data from {@code srcs}, or closing records.
     * Driving method; the front has checked the arguments.
     *
     * @param srcs application data
     * @param offset the first buffer of {@code srcs} to read
     * @param length how many buffers to read
     * @param dst where the records go
     * @return the result, or a wait
     * @throws SSLException on a failure, as the application should see it
     */
    Step wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException;

    /**
     * Consumes records from {@code src}. Driving method; the front has checked the arguments. The
     * front hands over whole records where it can and calls again while the handshake only wants
     * more input and input is left.
     *
     * @param src the peer's bytes: the front's stash, or the application's buffer
     * @param dsts where application data goes
     * @param offset the first buffer of {@code dsts} to fill
     * @param length how many buffers to fill
     * @return the result, or a wait
     * @throws SSLException on a failure, as the application should see it
     */
    Step unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException;

    /**
     * The engine's handshake status. Query method: no lock, any thread, never blocks, never changes
     * state. The front answers itself while a wait is not done.
     *
     * @return the status
     */
    HandshakeStatus handshakeStatus();

    /**
     * The application will read no more. Driving method.
     *
     * @throws SSLException if the peer's close_notify was not received (truncation)
     */
    void closeInbound() throws SSLException;

    /** The application will write no more: the next {@code wrap} produces close_notify. Driving method. */
    void closeOutbound();

    /**
     * The status of the engine's last offloaded operation. Query method.
     *
     * @return {@link dev.asyncjsse.AsyncStatus#ERR} once an offloaded operation failed, otherwise
     *     {@link dev.asyncjsse.AsyncStatus#OK} (the front reports {@code UNSUPPORTED} when the context
     *     has no offloader)
     */
    dev.asyncjsse.AsyncStatus asyncStatus();

    /** @return true once the peer's close_notify was read, {@link #closeInbound} was called, or the engine failed */
    boolean isInboundDone();

    /** @return true once the closing records were produced */
    boolean isOutboundDone();

    /**
     * @return the current session (the null session before the handshake completes); never
     *     {@code null}; a {@link SessionBase}, so that it answers as every AsyncJSSE session does
     */
    SSLSession session();

    /** @return the session being negotiated ({@link SessionBase} too), or {@code null} outside the handshake */
    SSLSession handshakeSession();

    /** @return the negotiated application protocol, {@code ""} for none, {@code null} before it is known */
    String applicationProtocol();

    /** @return the application protocol chosen so far in the handshake, or {@code null} */
    String handshakeApplicationProtocol();

    /**
     * New settings from the application (parameters, session creation, ALPN selector), already
     * validated. Driving method; the engine applies them at once or, while a step waits, when it can.
     *
     * @param settings the complete new settings
     */
    void configure(EngineSettings settings);
}
