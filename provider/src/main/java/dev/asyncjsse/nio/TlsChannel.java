package dev.asyncjsse.nio;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.engine.TlsAlert;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * A {@link ByteChannel} that speaks TLS over a {@link SocketChannel} with an {@link SSLEngine},
 * preferably an {@link AsyncSSLEngine}, so the application never writes the {@code wrap}/{@code unwrap}
 * loop itself.
 *
 * <h2>Blocking and non-blocking</h2>
 * The mode follows the socket's ({@link SocketChannel#isBlocking()}), checked on every call.
 * <ul>
 * <li>Blocking: every call completes (or fails). An offloaded key operation is waited for.
 * <li>Non-blocking: a call that cannot go on throws a {@link WouldBlockException} saying exactly what it
 *     waits for: {@link NeedsReadException} (socket readable), {@link NeedsWriteException} (socket
 *     writable) or {@link OffloadPendingException} (a key operation; the wake-up given to
 *     {@link TlsChannelBuilder#offloadWakeup} runs when it is done, typically queueing the channel on the
 *     selector thread and calling {@code selector.wakeup()}). Repeat the same call afterwards.
 * </ul>
 * The handshake runs implicitly on the first {@code read}/{@code write}, or explicitly with
 * {@link #handshake()}.
 *
 * <h2>Server side: SNI routing and buffered bytes</h2>
 * A server channel made with {@link #server(SocketChannel, EngineFactory)} first reads the ClientHello,
 * explores it with {@link ClientHelloExplorer} (host names, ALPN, versions) and lets the factory choose
 * the engine (and so the {@code SSLContext}). Bytes that were already read from the socket, e.g. by
 * sniffing for port unification, are given with {@link TlsChannelBuilder#initialBytes(ByteBuffer)}; they are
 * handed to the engine with the buffered handshake ({@link AsyncSSLEngine#beginHandshake(ByteBuffer)}).
 *
 * <h2>Threading</h2>
 * One reader and one writer may work concurrently (reads and writes take separate locks; the handshake
 * takes both). Most users drive a channel from one selector thread. The offload wake-up runs on a job
 * thread and must only queue and wake the loop.
 *
 * <h2>Buffer ownership</h2>
 * The channel keeps no reference to caller buffers after a call. It owns three buffers of its own
 * (encrypted in, decrypted in, encrypted out), sized from the engine's session and grown on demand.
 * {@link #read} returns decrypted bytes the channel holds before it touches the socket again.
 *
 * <h2>Closing and failure</h2>
 * {@link #shutdownOutput()} sends close_notify and then half-closes the TCP connection; reading goes on
 * until the peer's close_notify or EOF, where {@link #read} returns -1. {@link #close()} sends
 * close_notify when it can without blocking for long (best effort) and closes the socket. TLS errors
 * surface as {@link SSLException} (handshake failures as {@link SSLHandshakeException}); after one the
 * channel should be closed. A peer that closes the socket mid-handshake gives an {@link EOFException}.
 */
public final class TlsChannel implements ByteChannel {

    /**
     * Chooses the server engine once the ClientHello is known (virtual hosting).
     */
    @FunctionalInterface
    public interface EngineFactory {
        /**
         * @param hello the complete ClientHello ({@link ClientHello#isComplete()} is true)
         * @return a new engine, e.g. from the {@code SSLContext} serving {@code hello.serverName()};
         *     {@code null} refuses the connection (the handshake fails with {@link SSLHandshakeException})
         * @throws IOException to refuse with that exception
         */
        SSLEngine create(ClientHello hello) throws IOException;
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int MAX_RECORD = 5 + (1 << 14) + 2048 + 256;

    private final SocketChannel socket;
    private final boolean client;
    private final EngineFactory factory;
    private final Consumer<TlsChannel> offloadWakeup;
    /** Held by the one thread that runs the handshake; readers and writers never take it once it is done. */
    private final ReentrantLock handshakeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Counts offload wake-ups; a blocking handshake waits on it for the one its pending step will get. */
    private final Object wakeupMonitor = new Object();

    private volatile SSLEngine engine;
    private volatile ClientHello clientHello;
    private volatile boolean handshakeDone;
    private volatile boolean open = true;
    private boolean begun;
    private int bufferedUsed = -1;
    private boolean inboundDone;
    private boolean closeNotifyReceived;
    private boolean outboundShut;
    private volatile long wakeups;

    private ByteBuffer inEnc;   // fill mode
    private ByteBuffer inPlain; // fill mode
    private ByteBuffer outEnc;  // fill mode

    TlsChannel(SocketChannel socket, boolean client, SSLEngine engine, EngineFactory factory, ByteBuffer initial,
               Consumer<TlsChannel> offloadWakeup) {
        this.socket = socket;
        this.client = client;
        this.factory = factory;
        this.offloadWakeup = offloadWakeup;
        int initialLength = initial == null ? 0 : initial.remaining();
        this.inEnc = ByteBuffer.allocate(Math.max(MAX_RECORD, initialLength + 1024));
        if (initial != null) {
            inEnc.put(initial);
        }
        this.inPlain = ByteBuffer.allocate(1 << 14);
        this.outEnc = ByteBuffer.allocate(4 * MAX_RECORD);
        if (engine != null) {
            attach(engine);
        }
    }

    /**
     * A client channel.
     *
     * @param socket a connected (or connecting, then finish it first) socket channel
     * @param engine the engine, e.g. {@code context.createSSLEngine(host, port)}; it is put in client mode
     * @return a builder
     */
    public static TlsChannelBuilder client(SocketChannel socket, SSLEngine engine) {
        Objects.requireNonNull(engine, "engine");
        engine.setUseClientMode(true);
        return new TlsChannelBuilder(socket, true, engine, null);
    }

    /**
     * A server channel with one context for every client.
     *
     * @param socket an accepted socket channel
     * @param context the server's context
     * @return a builder
     */
    public static TlsChannelBuilder server(SocketChannel socket, SSLContext context) {
        Objects.requireNonNull(context, "context");
        return new TlsChannelBuilder(socket, false, null, hello -> context.createSSLEngine());
    }

    /**
     * A server channel that chooses its engine from the ClientHello (SNI routing).
     *
     * @param socket an accepted socket channel
     * @param factory chooses the engine; called once, on the thread that drives the handshake
     * @return a builder
     */
    public static TlsChannelBuilder server(SocketChannel socket, EngineFactory factory) {
        Objects.requireNonNull(factory, "factory");
        return new TlsChannelBuilder(socket, false, null, factory);
    }

    // ------------------------------------------------------------------ accessors

    /** The underlying socket channel. */
    public SocketChannel socket() {
        return socket;
    }

    /** The engine, or {@code null} while a server channel still waits for the ClientHello. */
    public SSLEngine engine() {
        return engine;
    }

    /** The explored ClientHello of a server channel, or {@code null} before it arrived (and on clients). */
    public ClientHello clientHello() {
        return clientHello;
    }

    /** The session, or {@code null} before the engine exists. */
    public SSLSession session() {
        SSLEngine e = engine;
        return e == null ? null : e.getSession();
    }

    /**
     * How many of the initial bytes (and the bytes read while exploring) the buffered handshake took,
     * or -1 if it did not run (not an {@link AsyncSSLEngine}, or not yet).
     */
    public int bufferedHandshakeUsed() {
        return bufferedUsed;
    }

    /** True once the handshake has completed. */
    public boolean isHandshakeComplete() {
        return handshakeDone;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** True once the peer's close_notify (or EOF) was read: {@link #read} returns -1 from now on. */
    public boolean isInboundDone() {
        readLock.lock();
        try {
            return inboundDone;
        } finally {
            readLock.unlock();
        }
    }

    // ------------------------------------------------------------------ handshake

    /**
     * Runs the handshake to completion, or, when non-blocking, as far as it can.
     *
     * @throws WouldBlockException (non-blocking) what the handshake waits for; call again after it
     * @throws SSLHandshakeException if the handshake fails
     * @throws EOFException if the peer closes the connection during the handshake
     * @throws IOException on socket errors
     */
    public void handshake() throws IOException {
        checkOpen();
        if (handshakeDone) {
            return;
        }
        // Not the read lock: a reader that finished the handshake may hold it for a long blocking read
        // right after, while this thread only needs to learn that the handshake is done.
        try {
            handshakeLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the handshake");
        }
        try {
            checkOpen();
            if (handshakeDone) {
                return;
            }
            readLock.lock();
            writeLock.lock();
            try {
                doHandshake();
            } finally {
                writeLock.unlock();
                readLock.unlock();
            }
        } finally {
            handshakeLock.unlock();
        }
    }

    private void doHandshake() throws IOException {
        if (engine == null) {
            chooseEngine();
        }
        try {
            if (!begun) {
                begin();
            }
            while (!handshakeDone) {
                flush();
                HandshakeStatus hs = engine.getHandshakeStatus();
                switch (hs) {
                    case NOT_HANDSHAKING:
                    case FINISHED:
                        handshakeDone = true;
                        break;
                    case NEED_TASK:
                        runTasks();
                        break;
                    case NEED_WRAP:
                        wrapHandshake();
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        unwrapHandshake();
                        break;
                    default:
                        throw new SSLException("the engine reports an unknown handshake status: " + hs);
                }
            }
            flush();
        } catch (SSLException e) {
            sendAlertQuietly();
            throw e;
        }
    }

    private void begin() throws SSLException {
        begun = true;
        if (engine instanceof AsyncSSLEngine) {
            inEnc.flip();
            try {
                bufferedUsed = ((AsyncSSLEngine) engine).beginHandshake(inEnc);
            } finally {
                inEnc.compact();
            }
        } else {
            engine.beginHandshake();
        }
    }

    private void chooseEngine() throws IOException {
        ClientHelloSniffer sniffer = new ClientHelloSniffer(inEnc);
        ClientHello hello;
        try {
            hello = sniffer.sniff(socket);
        } finally {
            inEnc = sniffer.buffer();
        }
        clientHello = hello;
        SSLEngine e = factory.create(hello);
        if (e == null) {
            ClientHelloSniffer.refuse(socket, TlsAlert.UNRECOGNIZED_NAME);
            throw new SSLHandshakeException("no server context for " + (hello.serverName() == null
                    ? "a client without SNI" : "server name " + hello.serverName()));
        }
        e.setUseClientMode(false);
        attach(e);
    }

    private void attach(SSLEngine e) {
        SSLSession s = e.getSession();
        if (inEnc.capacity() < s.getPacketBufferSize()) {
            inEnc = grow(inEnc, s.getPacketBufferSize());
        }
        if (inPlain.capacity() < s.getApplicationBufferSize()) {
            inPlain = grow(inPlain, s.getApplicationBufferSize());
        }
        if (outEnc.capacity() < 2 * s.getPacketBufferSize()) {
            outEnc = grow(outEnc, 2 * s.getPacketBufferSize());
        }
        if (e instanceof AsyncSSLEngine) {
            ((AsyncSSLEngine) e).setOffloadCallback((eng, arg) -> {
                synchronized (wakeupMonitor) {
                    wakeups++;
                    wakeupMonitor.notifyAll();
                }
                Consumer<TlsChannel> w = offloadWakeup;
                if (w != null && open) {
                    w.accept(this);
                }
            }, null);
        }
        engine = e;
    }

    private void wrapHandshake() throws IOException {
        SSLEngineResult r = engine.wrap(EMPTY, outEnc);
        if (AsyncSSLEngine.isOffloadPending(r)) {
            runTasks();
            return;
        }
        switch (r.getStatus()) {
            case BUFFER_OVERFLOW:
                if (outEnc.position() == 0) {
                    outEnc = grow(outEnc, outEnc.capacity() * 2);
                }
                break; // flush at the top of the loop
            case CLOSED:
                flush();
                throw new SSLHandshakeException("the engine closed during the handshake");
            case OK:
            case BUFFER_UNDERFLOW:
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    handshakeDone = true;
                }
                break;
            default:
                throw new SSLException("the engine reports an unknown status: " + r.getStatus());
        }
    }

    private void unwrapHandshake() throws IOException {
        SSLEngineResult r = unwrap();
        if (AsyncSSLEngine.isOffloadPending(r)) {
            runTasks();
            return;
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW:
                if (readSocket() < 0) {
                    try {
                        engine.closeInbound();
                    } catch (SSLException ignored) {
                        // we report the truncation ourselves
                    }
                    inboundDone = true;
                    throw new EOFException("the peer closed the connection during the handshake");
                }
                break;
            case BUFFER_OVERFLOW:
                inPlain = grow(inPlain, inPlain.capacity() * 2);
                break;
            case CLOSED:
                inboundDone = true;
                closeNotifyReceived = true;
                throw new SSLHandshakeException("the peer sent close_notify during the handshake");
            case OK:
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    handshakeDone = true;
                }
                break;
            default:
                throw new SSLException("the engine reports an unknown status: " + r.getStatus());
        }
    }

    /** NEED_TASK: an offload pending step, or ordinary delegated tasks (SunJSSE engines). */
    private void runTasks() throws IOException {
        SSLEngine e = engine;
        boolean async = e instanceof AsyncSSLEngine;
        if (async && ((AsyncSSLEngine) e).isOffloadPending() && !socket.isBlocking()) {
            throw new OffloadPendingException();
        }
        long seen = wakeups;
        boolean ran = false;
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
            ran = true;
        }
        if (!ran && async && e.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            // No task to run, yet the engine still waits: its step is parked (another thread has the
            // task) and the only wake-up is the offload callback, which always comes unless closed.
            if (!socket.isBlocking()) {
                throw new OffloadPendingException();
            }
            synchronized (wakeupMonitor) {
                while (wakeups == seen && open && e.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    try {
                        wakeupMonitor.wait();
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for an offloaded key operation");
                    }
                }
            }
            checkOpen();
        }
    }

    // ------------------------------------------------------------------ read

    /**
     * Reads decrypted bytes, running the handshake first if needed.
     *
     * @param dst where to put them
     * @return the number of bytes read, 0 only if {@code dst} has no room, or -1 after the peer's
     *     close_notify or EOF
     * @throws WouldBlockException (non-blocking) what the call waits for
     * @throws SSLException on a TLS error
     * @throws IOException on socket errors
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkOpen();
        if (!handshakeDone) {
            handshake();
        }
        readLock.lock();
        try {
            while (true) {
                if (inPlain.position() > 0) {
                    return transfer(dst);
                }
                if (inboundDone) {
                    return -1;
                }
                if (!dst.hasRemaining()) {
                    return 0;
                }
                SSLEngineResult r = unwrap();
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW:
                        if (readSocket() < 0) {
                            inboundDone = true;
                            try {
                                engine.closeInbound();
                            } catch (SSLException ignored) {
                                // EOF without close_notify: reported as end of stream like a TCP read
                            }
                            if (inPlain.position() == 0) {
                                return -1;
                            }
                        }
                        break;
                    case BUFFER_OVERFLOW:
                        inPlain = grow(inPlain, Math.max(inPlain.capacity() * 2, engine.getSession().getApplicationBufferSize()));
                        break;
                    case CLOSED:
                        inboundDone = true;
                        closeNotifyReceived = true;
                        // engines that answer close_notify with their own want to wrap it now
                        postHandshake(engine.getHandshakeStatus());
                        break;
                    case OK:
                        postHandshake(r.getHandshakeStatus());
                        break;
                    default:
                        throw new SSLException("the engine reports an unknown status: " + r.getStatus());
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /** After the handshake: TLS 1.3 KeyUpdate answers, session tickets and the like. */
    private void postHandshake(HandshakeStatus hs) throws IOException {
        if (hs == HandshakeStatus.NEED_TASK) {
            runTasks();
        } else if (hs == HandshakeStatus.NEED_WRAP && writeLock.tryLock()) {
            try {
                for (int i = 0; i < 8 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && outEnc.remaining() > 0; i++) {
                    SSLEngineResult r = engine.wrap(EMPTY, outEnc);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        outboundShut = true;
                    }
                    if (r.bytesProduced() == 0 || r.getStatus() != SSLEngineResult.Status.OK) {
                        break;
                    }
                }
                try {
                    flush();
                } catch (NeedsWriteException e) {
                    // kept in outEnc; the next write or close sends it
                }
            } finally {
                writeLock.unlock();
            }
        }
    }

    private int transfer(ByteBuffer dst) {
        inPlain.flip();
        int n = Math.min(inPlain.remaining(), dst.remaining());
        ByteBuffer slice = inPlain.duplicate();
        slice.limit(slice.position() + n);
        dst.put(slice);
        inPlain.position(inPlain.position() + n);
        inPlain.compact();
        return n;
    }

    private SSLEngineResult unwrap() throws SSLException {
        inEnc.flip();
        try {
            return engine.unwrap(inEnc, inPlain);
        } finally {
            inEnc.compact();
        }
    }

    private int readSocket() throws IOException {
        if (!inEnc.hasRemaining()) {
            inEnc = grow(inEnc, Math.max(inEnc.capacity() * 2, engine.getSession().getPacketBufferSize()));
        }
        int n = socket.read(inEnc);
        if (n == 0) {
            throw new NeedsReadException();
        }
        return n;
    }

    // ------------------------------------------------------------------ write

    /**
     * Encrypts and sends bytes, running the handshake first if needed. Returns normally only when all
     * the ciphertext it produced is in the socket.
     *
     * @param src the bytes to send; its position advances by the bytes taken, also when the call throws
     *     {@link NeedsWriteException} (they are sent on the next call, which may have an empty source)
     * @return the number of bytes taken from {@code src}
     * @throws WouldBlockException (non-blocking) what the call waits for
     * @throws ClosedChannelException after {@link #shutdownOutput()} or {@link #close()}
     * @throws SSLException on a TLS error
     * @throws IOException on socket errors
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        checkOpen();
        if (!handshakeDone) {
            handshake();
        }
        writeLock.lock();
        try {
            flush();
            if (outboundShut) {
                throw new ClosedChannelException();
            }
            int taken = 0;
            int packet = engine.getSession().getPacketBufferSize();
            while (src.hasRemaining()) {
                if (outEnc.remaining() < packet) {
                    flush();
                    if (outEnc.remaining() < packet) {
                        outEnc = grow(outEnc, packet + outEnc.position());
                    }
                }
                SSLEngineResult r = engine.wrap(src, outEnc);
                taken += r.bytesConsumed();
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    flush();
                    throw new SSLException("the engine's outbound side is closed");
                }
                if (r.getStatus() == SSLEngineResult.Status.OK && r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                        runTasks();
                    } else {
                        throw new SSLException("write cannot progress: the engine wants " + r.getHandshakeStatus()
                                + " after the handshake (renegotiation is not supported by TlsChannel)");
                    }
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    flush();
                    if (outEnc.position() == 0) {
                        outEnc = grow(outEnc, outEnc.capacity() * 2);
                    }
                }
            }
            flush();
            return taken;
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes outEnc to the socket; throws NeedsWriteException (non-blocking) if some is left. */
    private void flush() throws IOException {
        if (outEnc.position() == 0) {
            return;
        }
        outEnc.flip();
        try {
            while (outEnc.hasRemaining()) {
                if (socket.write(outEnc) == 0 && !socket.isBlocking()) {
                    throw new NeedsWriteException();
                }
            }
        } finally {
            outEnc.compact();
        }
    }

    /**
     * True if encrypted bytes wait for the socket (after a {@link NeedsWriteException}); call
     * {@code write} with an empty buffer when writable.
     */
    public boolean hasPendingOutput() {
        writeLock.lock();
        try {
            return outEnc.position() > 0;
        } finally {
            writeLock.unlock();
        }
    }

    // ------------------------------------------------------------------ close

    /**
     * Half close: sends close_notify, then shuts down the socket's output. Reading goes on until the
     * peer's close_notify or EOF (TLS 1.3 allows the peer to keep sending; a TLS 1.2 peer usually
     * answers with its own close_notify). Repeat after a {@link NeedsWriteException}; calling it again
     * when done does nothing.
     *
     * @throws WouldBlockException (non-blocking) if the close_notify could not be sent yet
     * @throws IOException on socket errors
     */
    public void shutdownOutput() throws IOException {
        checkOpen();
        writeLock.lock();
        try {
            if (outboundShut && outEnc.position() == 0) {
                return;
            }
            if (!outboundShut) {
                closeOutboundAndWrap();
            }
            flush();
            if (socket.isConnected()) {
                try {
                    socket.shutdownOutput();
                } catch (IOException ignored) {
                    // the peer may be gone already
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void closeOutboundAndWrap() throws IOException {
        outboundShut = true;
        SSLEngine e = engine;
        if (e == null) {
            return;
        }
        e.closeOutbound();
        for (int i = 0; i < 8 && !e.isOutboundDone(); i++) {
            SSLEngineResult r = e.wrap(EMPTY, outEnc);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (outEnc.position() == 0) {
                    outEnc = grow(outEnc, outEnc.capacity() * 2);
                } else {
                    flush();
                }
            } else if (r.getStatus() == SSLEngineResult.Status.CLOSED || r.bytesProduced() == 0) {
                break;
            }
        }
    }

    /**
     * Sends close_notify if that is possible at once (best effort, without waiting for a slow peer in
     * non-blocking mode) and closes the socket. Cancels a pending offload. Idempotent.
     *
     * @throws IOException if closing the socket fails
     */
    @Override
    public void close() throws IOException {
        if (!open) {
            return;
        }
        if (writeLock.tryLock()) {
            try {
                if (!outboundShut && socket.isConnected()) {
                    try {
                        closeOutboundAndWrap();
                    } catch (IOException | RuntimeException ignored) {
                        // best effort
                    }
                }
                try {
                    flush();
                } catch (IOException ignored) {
                    // best effort: a non-blocking socket that is full, or a peer that is gone
                }
            } finally {
                writeLock.unlock();
            }
        }
        open = false;
        synchronized (wakeupMonitor) {
            wakeupMonitor.notifyAll();
        }
        SSLEngine e = engine;
        if (e != null) {
            e.closeOutbound();
            try {
                e.closeInbound();
            } catch (SSLException ignored) {
                // no close_notify from the peer: nothing to do about it when closing
            }
        }
        socket.close();
    }

    /** True if the peer's close_notify (rather than a bare EOF) ended the inbound side. */
    public boolean receivedCloseNotify() {
        readLock.lock();
        try {
            return closeNotifyReceived;
        } finally {
            readLock.unlock();
        }
    }

    private void sendAlertQuietly() {
        try {
            SSLEngine e = engine;
            for (int i = 0; i < 4 && e != null && e.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                SSLEngineResult r = e.wrap(EMPTY, outEnc);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
            flush();
        } catch (IOException | RuntimeException ignored) {
            // the original failure is what the caller needs
        }
    }

    private void checkOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    private static ByteBuffer grow(ByteBuffer fillMode, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, fillMode.position()));
        fillMode.flip();
        bigger.put(fillMode);
        return bigger;
    }

    @Override
    public String toString() {
        return "TlsChannel[" + (client ? "client" : "server") + ", " + socket + ", handshake "
                + (handshakeDone ? "done" : "in progress") + "]";
    }
}
