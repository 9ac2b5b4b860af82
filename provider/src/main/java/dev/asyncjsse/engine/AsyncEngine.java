package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.OffloadCallback;
import dev.asyncjsse.monitor.HandshakeTrace;
import dev.asyncjsse.nio.ClientHello;
import dev.asyncjsse.nio.ClientHelloExplorer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The front of AsyncJSSE's engine: everything between the application and a {@link ProtocolEngine}.
 * It enforces the {@code SSLEngine} contract as SunJSSE reads it (argument checks, mode, parameters,
 * FINISHED exactly once, close rules), owns the inbound stash and the buffered handshake, and turns a
 * protocol engine's {@link EngineWait} into the offload-pending result, the {@code AsyncStatus}, the
 * one delegated task of the episode and the wake-up callback.
 *
 * <p>A client's protocol engine is created when its handshake starts; a server's once the ClientHello
 * is complete in the stash, so that the engine can be chosen from it ({@link EngineChoice}).
 *
 * <p>Concurrency. {@code wrap}, {@code unwrap}, {@code beginHandshake}, the close methods and the
 * setters hold {@link #lock}; the state changes only in {@link #moveTo}, with the lock held. Getters
 * take no lock and change nothing: they read volatile fields and the protocol engine's query methods.
 * The callback runs through {@link CallbackGate}, never inside this engine's own calls and never
 * after a close.
 */
final class AsyncEngine extends AsyncSSLEngine {

    private static final System.Logger LOG = System.getLogger(AsyncEngine.class.getName());
    /** How long a close waits for a cancelled step to stop. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ContextServices services;
    /** How long a close waits for a cancelled wait to end before it drops the protocol engine. */
    private final long closeWaitNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final CallbackGate callbacks;
    private final InboundStash stash = new InboundStash();
    private final HandshakeTrace trace;

    private volatile FrontState state = FrontState.NEW;
    private volatile boolean clientMode;
    private volatile boolean modeSet;
    private volatile EngineSettings settings;
    private volatile ProtocolEngine engine;
    private volatile Episode episode;
    private volatile NullSession nullSession;
    /** A side closed while no protocol engine was attached (none yet, or one dropped); then none ever is. */
    private volatile boolean inboundClosedEarly;
    private volatile boolean outboundClosedEarly;
    /** The closing records have been produced: later wraps produce nothing. */
    private boolean outboundFinished;
    /** A client's first flight has been produced; before that it reads no peer bytes. */
    private boolean firstFlightSent;
    /** The alert refusing a server's first flight, still to be wrapped, or -1. */
    private volatile int pendingAlert = -1;
    /** What failed the handshake, for {@link #report}. */
    private Throwable failureCause;

    AsyncEngine(ContextServices services, String peerHost, int peerPort) {
        this(services, peerHost, peerPort, CLOSE_WAIT_NANOS);
    }

    /** With a shorter close wait, for tests of a wait that does not end. */
    AsyncEngine(ContextServices services, String peerHost, int peerPort, long closeWaitNanos) {
        super(peerHost, peerPort);
        this.services = services;
        this.closeWaitNanos = closeWaitNanos;
        this.callbacks = new CallbackGate(services.config().defaultCallback());
        this.settings = EngineSettings.defaults(services.defaults().parameters(false));
        this.trace = services.config().monitor().newHandshakeTrace(peerHost, peerPort);
    }

    // ---------------------------------------------------------------- state

    /** The one place where {@link #state} changes. */
    private void moveTo(FrontState next) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("the engine state changes only with the engine's lock held");
        }
        FrontState current = state;
        if (current == next) {
            return;
        }
        if (!current.canMoveTo(next)) {
            throw new IllegalStateException("engine state " + current + " cannot move to " + next);
        }
        report(current, next);
        state = next;
    }

    /** Tells the context's monitor what a state change means: handshake start, time pending, outcome. */
    private void report(FrontState from, FrontState to) {
        if (from == FrontState.NEW && to == FrontState.HANDSHAKING) {
            trace.started(clientMode);
        }
        if ((from == FrontState.WAITING) != (to == FrontState.WAITING)) {
            trace.pending(to == FrontState.WAITING);
        }
        if (to == FrontState.ESTABLISHED) {
            trace.finished(engine.session());
        } else if (to == FrontState.FAILED && from != FrontState.NEW && from != FrontState.ESTABLISHED) {
            ProtocolEngine e = engine;
            trace.failed(failureCause, e != null && e.asyncStatus() == AsyncStatus.ERR);
        }
    }

    private void requireMode() {
        if (!modeSet) {
            throw new IllegalStateException("the client/server mode has not been set: call setUseClientMode first");
        }
    }

    private void checkNotClosed() throws SSLException {
        if (isOutboundDone()) {
            throw new SSLException("the engine is closed");
        }
    }

    private boolean closedEarly() {
        return inboundClosedEarly || outboundClosedEarly;
    }

    // ---------------------------------------------------------------- offload API

    @Override
    public void setOffloadCallback(OffloadCallback cb, Object arg) {
        callbacks.set(cb, arg);
    }

    @Override
    public AsyncStatus getAsyncStatus() {
        Episode ep = episode;
        if (ep != null && !ep.wait.isDone()) {
            return ep.wait.status();
        }
        ProtocolEngine e = engine;
        AsyncStatus status = e == null ? AsyncStatus.OK : e.asyncStatus();
        if (status == AsyncStatus.OK && services.offloader() == null) {
            return AsyncStatus.UNSUPPORTED;
        }
        return status;
    }

    @Override
    public boolean isOffloadPending() {
        Episode ep = episode;
        return ep != null && !ep.wait.isDone();
    }

    // ---------------------------------------------------------------- handshake start

    @Override
    public void beginHandshake() throws SSLException {
        lock.lock();
        try {
            requireMode();
            checkNotClosed();
            switch (state) {
                case NEW:
                    startHandshake();
                    break;
                case HANDSHAKING:
                case WAITING:
                    break;
                case ESTABLISHED:
                    throw new SSLException("AsyncJSSE does not renegotiate: a new handshake on an established "
                            + "connection (TLS 1.2 renegotiation, or a TLS 1.3 key update requested through beginHandshake) "
                            + "is not supported; open a new connection instead");
                case FAILED:
                    throw new SSLException("the handshake has failed; the engine can only be closed");
                default:
                    throw new AssertionError("unknown front state " + state);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int beginHandshake(ByteBuffer buffered) throws SSLException {
        if (buffered == null) {
            throw new IllegalArgumentException("buffered must not be null");
        }
        lock.lock();
        try {
            requireMode();
            checkNotClosed();
            if (state == FrontState.ESTABLISHED || state == FrontState.FAILED) {
                throw new SSLException("beginHandshake(ByteBuffer) needs an engine whose handshake has not completed; state is " + state);
            }
            int taken = TlsRecords.handshakePrefixLength(buffered);
            if (state == FrontState.NEW) {
                startHandshake();
            }
            stash.take(buffered, taken);
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Leaves NEW. A client gets its protocol engine now; a server once its ClientHello is complete. */
    private void startHandshake() throws SSLException {
        moveTo(FrontState.HANDSHAKING);
        if (clientMode) {
            createEngine(null);
        }
    }

    private void createEngine(ClientHello hello) throws SSLException {
        EngineSettings current = settings;
        ProtocolEngineFactory factory = EngineChoice.choose(services, clientMode, hello, current.parameters());
        EngineSetup setup = new EngineSetup(this, clientMode, current, services, hello, trace);
        ProtocolEngine created = call(() -> factory.create(setup));
        engine = created;
        call(() -> {
            created.beginHandshake();
            return null;
        });
    }

    // ---------------------------------------------------------------- wrap

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        BufferChecks.checkWrap(srcs, offset, length, dst);
        lock.lock();
        try {
            requireMode();
            SSLEngineResult pending = resumeEpisode();
            if (pending != null) {
                return pending;
            }
            if (outboundFinished) {
                return new SSLEngineResult(Status.CLOSED, getHandshakeStatus(), 0, 0);
            }
            if (engine == null && (pendingAlert >= 0 || closedEarly() || state == FrontState.FAILED)) {
                return wrapClosing(dst);
            }
            if (state == FrontState.NEW) {
                startHandshake();
            }
            if (engine == null) {
                // a server that has not seen its ClientHello has nothing to send
                return new SSLEngineResult(Status.OK, HandshakeStatus.NEED_UNWRAP, 0, 0);
            }
            HandshakeStatus hs = getHandshakeStatus();
            if (hs != HandshakeStatus.NEED_UNWRAP && hs != HandshakeStatus.NEED_UNWRAP_AGAIN
                    && dst.remaining() < getSession().getPacketBufferSize()) {
                // SunJSSE asks for room for a whole record before it produces anything
                return new SSLEngineResult(Status.BUFFER_OVERFLOW, hs, 0, 0);
            }
            ProtocolEngine e = engine;
            Step step = call(() -> e.wrap(srcs, offset, length, dst));
            if (step.isWaiting()) {
                return await(step.awaited(), step.bytesConsumed());
            }
            SSLEngineResult r = step.result();
            if (r.bytesProduced() > 0) {
                firstFlightSent = true;
            }
            if (r.getStatus() == Status.CLOSED && e.isOutboundDone()) {
                outboundFinished = true;
            }
            return translate(r, r.bytesConsumed(), r.bytesProduced());
        } finally {
            lock.unlock();
        }
    }

    /** A wrap without a protocol engine after a close or a refusal: the refusal's alert, then nothing. */
    private SSLEngineResult wrapClosing(ByteBuffer dst) {
        int alert = pendingAlert;
        if (alert < 0) {
            outboundFinished = true;
            return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, 0);
        }
        if (dst.remaining() < getSession().getPacketBufferSize()) {
            return new SSLEngineResult(Status.BUFFER_OVERFLOW, HandshakeStatus.NEED_WRAP, 0, 0);
        }
        TlsAlert.putFatal(dst, alert);
        pendingAlert = -1;
        outboundFinished = true;
        return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, TlsAlert.RECORD_LENGTH);
    }

    // ---------------------------------------------------------------- unwrap

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        BufferChecks.checkUnwrap(src, dsts, offset, length);
        lock.lock();
        try {
            requireMode();
            SSLEngineResult pending = resumeEpisode();
            if (pending != null) {
                return pending;
            }
            if (engine == null && (closedEarly() || state == FrontState.FAILED)) {
                inboundClosedEarly = true;
                return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, 0);
            }
            if (state == FrontState.NEW) {
                startHandshake();
            }
            int consumed = 0;
            if (engine == null) {
                int before = src.remaining();
                boolean created = acceptClientHello(src);
                consumed = before - src.remaining();
                if (!created) {
                    Status status = consumed > 0 ? Status.OK : Status.BUFFER_UNDERFLOW;
                    return new SSLEngineResult(status, HandshakeStatus.NEED_UNWRAP, consumed, 0);
                }
            }
            if (clientMode && !firstFlightSent && engine.handshakeStatus() == HandshakeStatus.NEED_WRAP) {
                // SunJSSE's client reads nothing before its ClientHello is out: the caller must wrap first.
                return new SSLEngineResult(Status.OK, HandshakeStatus.NEED_WRAP, 0, 0);
            }
            return unwrapRecords(src, dsts, offset, length, consumed);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A server without a protocol engine collects its ClientHello in the stash (whole records only,
     * so a partial record stays with the caller) until it is complete, or is recognizably not one,
     * and then creates the engine, unless {@link FirstFlight} refuses the bytes: then the engine
     * fails, and its next wrap produces the alert.
     *
     * @return true once the engine exists
     */
    private boolean acceptClientHello(ByteBuffer src) throws SSLException {
        if (stash.hasRemaining()) {
            stash.takeRecords(src);
        }
        ClientHello hello = ClientHelloExplorer.explore(stash.hasRemaining() ? stash.buffer() : src);
        while (hello.status() == ClientHello.Status.NEED_MORE_BYTES) {
            if (stash.takeRecords(src) == 0) {
                return false;
            }
            hello = ClientHelloExplorer.explore(stash.buffer());
        }
        FirstFlight.Refusal refusal = FirstFlight.check(hello);
        if (refusal != null) {
            failureCause = refusal.exception;
            moveTo(FrontState.FAILED);
            pendingAlert = refusal.alert;
            throw refusal.exception;
        }
        createEngine(hello.isComplete() ? hello : null);
        return true;
    }

    /**
     * Hands the stash, then {@code src}, to the protocol engine: one call per record, going on across
     * stashed records while the handshake only wants more input, so read-ahead bytes never stall a
     * loop that waits for the socket.
     */
    private SSLEngineResult unwrapRecords(ByteBuffer src, ByteBuffer[] dsts, int offset, int length, int consumedSoFar)
            throws SSLException {
        int consumed = consumedSoFar;
        int produced = 0;
        while (true) {
            ByteBuffer input;
            if (stash.hasRemaining()) {
                consumed += stash.completeFirstRecord(src);
                if (stash.missingBytes() > 0) {
                    Status status = consumed > 0 || produced > 0 ? Status.OK : Status.BUFFER_UNDERFLOW;
                    return new SSLEngineResult(status, getHandshakeStatus(), consumed, produced);
                }
                input = stash.buffer();
            } else {
                input = src;
            }
            ProtocolEngine e = engine;
            Step step = call(() -> e.unwrap(input, dsts, offset, length));
            if (input == src) {
                consumed += step.bytesConsumed();
            } else {
                stash.releaseIfEmpty();
            }
            if (step.isWaiting()) {
                return await(step.awaited(), consumed);
            }
            SSLEngineResult r = step.result();
            produced += r.bytesProduced();
            SSLEngineResult t = translate(r, consumed, produced);
            if (input == src) {
                return t;
            }
            boolean keepGoing = r.getStatus() == Status.OK && t.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP
                    && r.bytesProduced() == 0 && (stash.hasRemaining() || src.hasRemaining());
            if (!keepGoing) {
                return t;
            }
        }
    }

    // ---------------------------------------------------------------- results

    /**
     * The protocol engine's result with the front's counts, reporting FINISHED exactly once: on the
     * call that completes the handshake, which moves the state to ESTABLISHED.
     */
    private SSLEngineResult translate(SSLEngineResult r, int consumed, int produced) {
        HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == HandshakeStatus.FINISHED) {
            if (state == FrontState.HANDSHAKING) {
                moveTo(FrontState.ESTABLISHED);
            } else {
                hs = engine.handshakeStatus();
            }
        }
        return new SSLEngineResult(r.getStatus(), hs, consumed, produced);
    }

    @FunctionalInterface
    private interface EngineCall<T> {
        T call() throws SSLException;
    }

    /** Calls the protocol engine; a failure moves the engine to FAILED and is thrown as an SSLException. */
    private <T> T call(EngineCall<T> call) throws SSLException {
        try {
            return call.call();
        } catch (SSLException e) {
            failureCause = e;
            moveTo(FrontState.FAILED);
            throw e;
        } catch (RuntimeException e) {
            SSLException failure = new SSLException("the TLS engine failed: " + e, e);
            failureCause = failure;
            moveTo(FrontState.FAILED);
            throw failure;
        }
    }

    // ---------------------------------------------------------------- waits

    /**
     * Starts an episode for {@code wait} and returns the pending result. A wait that ends while it is
     * being registered (capacity back at once, a job that finished just after its wait budget) is
     * still reported, and its callback comes from another thread: never inside this call.
     */
    private SSLEngineResult await(EngineWait wait, int consumed) {
        Episode ep = new Episode(wait);
        if (wait.status() == AsyncStatus.EAGAIN) {
            trace.refused();
        }
        moveTo(FrontState.WAITING);
        episode = ep;
        wait.whenDone(() -> waitEnded(ep));
        if (!ep.arm()) {
            callbacks.fireLater(this);
        }
        return offloadPendingResult(consumed);
    }

    /** Runs once when an episode's wait ends, on whichever thread ends it. */
    private void waitEnded(Episode ep) {
        if (!ep.endedAfterArmed()) {
            return;
        }
        if (lock.isHeldByCurrentThread()) {
            // never inside this engine's own call
            callbacks.fireLater(this);
        } else {
            callbacks.fire(this);
        }
    }

    /**
     * The start of {@code wrap} and {@code unwrap}: the pending result again while the episode's wait
     * lasts; once it has ended, the episode ends and the protocol engine goes on.
     */
    private SSLEngineResult resumeEpisode() {
        Episode ep = episode;
        if (ep == null) {
            return null;
        }
        if (!ep.wait.isDone()) {
            return offloadPendingResult(0);
        }
        endEpisode();
        return null;
    }

    private void endEpisode() {
        episode = null;
        moveTo(FrontState.HANDSHAKING);
    }

    /** A close ends a handshake that has not completed: a failure for the monitor, not the offloader's fault. */
    private void reportCloseDuringHandshake() {
        if (state == FrontState.HANDSHAKING || state == FrontState.WAITING) {
            Episode ep = episode;
            trace.failed(new SSLException(ep != null && !ep.wait.isDone()
                    ? "the engine was closed while an offloaded operation was pending"
                    : "the engine was closed before the handshake completed"), false);
        }
    }

    /**
     * Cancels the episode's wait for a close and waits (bounded) until the protocol engine is free.
     *
     * @return false if the wait did not end: the protocol engine has been dropped ({@link #dropEngine})
     */
    private boolean abandonEpisode() {
        Episode ep = episode;
        if (ep == null) {
            return true;
        }
        if (!ep.wait.isDone()) {
            ep.wait.cancel("the engine was closed while an offloaded operation was pending");
            try {
                if (!ep.wait.awaitDone(closeWaitNanos)) {
                    dropEngine("the engine was closed while an offloaded operation was pending, which did not stop within "
                            + TimeUnit.NANOSECONDS.toMillis(closeWaitNanos) + " ms after it was cancelled");
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                dropEngine("the engine was closed while an offloaded operation was pending, and the closing thread was "
                        + "interrupted while it waited for the operation to stop");
                return false;
            }
        }
        endEpisode();
        return true;
    }

    /**
     * A close whose cancelled wait has not ended: the protocol engine may still be busy on another
     * thread, so it is never called again. The connection fails and both sides are done, without
     * closing records, rather than leaving a closed engine pending until the wait ends (no callback
     * would announce that). When the wait ends at last, nothing follows: the callback gate is closed.
     */
    private void dropEngine(String why) {
        LOG.log(System.Logger.Level.WARNING, this + ": " + why + "; the connection is dropped without closing records");
        endEpisode();
        failureCause = new SSLException(why);
        moveTo(FrontState.FAILED);
        engine = null;
        inboundClosedEarly = true;
        outboundClosedEarly = true;
    }

    @Override
    public Runnable getDelegatedTask() {
        Episode ep = episode;
        // A wait that already ended still hands out its one task: the loop was told NEED_TASK, and
        // Netty's SslHandler, given null, assumes another thread ran it and never resumes.
        if (ep == null || !ep.takeTask()) {
            return null;
        }
        return () -> {
            try {
                ep.wait.awaitDone();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Override
    public HandshakeStatus getHandshakeStatus() {
        switch (state) {
            case NEW:
                return HandshakeStatus.NOT_HANDSHAKING;
            case WAITING:
                Episode ep = episode;
                if (ep != null && !ep.wait.isDone()) {
                    return HandshakeStatus.NEED_TASK;
                }
                return engineStatus();
            case HANDSHAKING:
            case ESTABLISHED:
            case FAILED:
                return engineStatus();
            default:
                throw new AssertionError("unknown front state " + state);
        }
    }

    private HandshakeStatus engineStatus() {
        ProtocolEngine e = engine;
        if (e != null) {
            return e.handshakeStatus();
        }
        if (pendingAlert >= 0) {
            return HandshakeStatus.NEED_WRAP;
        }
        return closedEarly() || state == FrontState.FAILED ? HandshakeStatus.NOT_HANDSHAKING : HandshakeStatus.NEED_UNWRAP;
    }

    // ---------------------------------------------------------------- close

    @Override
    public void closeInbound() throws SSLException {
        callbacks.close();
        lock.lock();
        try {
            reportCloseDuringHandshake();
            if (!abandonEpisode()) {
                return;
            }
            ProtocolEngine e = engine;
            if (e == null) {
                inboundClosedEarly = true;
                return;
            }
            call(() -> {
                e.closeInbound();
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isInboundDone() {
        ProtocolEngine e = engine;
        // as SunJSSE: closing the outbound side before the handshake leaves the inbound side open
        return e != null ? e.isInboundDone() : inboundClosedEarly || state == FrontState.FAILED;
    }

    @Override
    public void closeOutbound() {
        callbacks.close();
        lock.lock();
        try {
            reportCloseDuringHandshake();
            if (!abandonEpisode()) {
                return;
            }
            ProtocolEngine e = engine;
            if (e == null) {
                outboundClosedEarly = true;
                return;
            }
            e.closeOutbound();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isOutboundDone() {
        ProtocolEngine e = engine;
        return e != null ? e.isOutboundDone() : pendingAlert < 0 && (closedEarly() || state == FrontState.FAILED);
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public SSLSession getSession() {
        ProtocolEngine e = engine;
        return e != null ? e.session() : nullSession();
    }

    private NullSession nullSession() {
        NullSession s = nullSession;
        if (s == null) {
            ContextDefaults d = services.defaults();
            s = new NullSession(getPeerHost(), getPeerPort(), d.packetBufferSize(), d.applicationBufferSize());
            nullSession = s;
        }
        return s;
    }

    @Override
    public SSLSession getHandshakeSession() {
        ProtocolEngine e = engine;
        return e != null ? e.handshakeSession() : null;
    }

    @Override
    public String getApplicationProtocol() {
        ProtocolEngine e = engine;
        return e != null ? e.applicationProtocol() : null;
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        ProtocolEngine e = engine;
        return e != null ? e.handshakeApplicationProtocol() : null;
    }

    // ---------------------------------------------------------------- mode and parameters

    @Override
    public void setUseClientMode(boolean mode) {
        lock.lock();
        try {
            if (state != FrontState.NEW) {
                throw new IllegalArgumentException("the client/server mode cannot change after the handshake has begun");
            }
            if (mode != clientMode) {
                // As SunJSSE: suites and protocols the application left at the defaults follow the mode.
                ContextDefaults d = services.defaults();
                SSLParameters p = Parameters.copy(settings.parameters());
                SSLParameters modeDefaults = d.parameters(mode);
                if (d.isDefaultSuites(p.getCipherSuites(), clientMode)) {
                    p.setCipherSuites(modeDefaults.getCipherSuites());
                }
                if (d.isDefaultProtocols(p.getProtocols(), clientMode)) {
                    p.setProtocols(modeDefaults.getProtocols());
                }
                settings = settings.withModeDefaults(p);
            }
            clientMode = mode;
            modeSet = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean getUseClientMode() {
        return clientMode;
    }

    /** Installs new settings and passes them to the protocol engine, if there is one. */
    private void configure(EngineSettings changed) {
        lock.lock();
        try {
            settings = changed;
            ProtocolEngine e = engine;
            if (e != null) {
                e.configure(changed);
            }
        } finally {
            lock.unlock();
        }
    }

    private void changeParameters(java.util.function.UnaryOperator<SSLParameters> change) {
        lock.lock();
        try {
            configure(settings.withParameters(change.apply(settings.parameters())));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return services.defaults().supportedSuites().toArray(new String[0]);
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return settings.parameters().getCipherSuites().clone();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        changeParameters(p -> Parameters.withSuites(p, suites, services.defaults().supportedSuites()));
    }

    @Override
    public String[] getSupportedProtocols() {
        return services.defaults().supportedProtocols().toArray(new String[0]);
    }

    @Override
    public String[] getEnabledProtocols() {
        return settings.parameters().getProtocols().clone();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        changeParameters(p -> Parameters.withProtocols(p, protocols, services.defaults().supportedProtocols()));
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        changeParameters(p -> {
            SSLParameters changed = Parameters.copy(p);
            changed.setNeedClientAuth(need);
            return changed;
        });
    }

    @Override
    public boolean getNeedClientAuth() {
        return settings.parameters().getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        changeParameters(p -> {
            SSLParameters changed = Parameters.copy(p);
            changed.setWantClientAuth(want);
            return changed;
        });
    }

    @Override
    public boolean getWantClientAuth() {
        return settings.parameters().getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        lock.lock();
        try {
            configure(settings.withSessionCreation(flag));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean getEnableSessionCreation() {
        return settings.sessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return Parameters.copy(settings.parameters());
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        Objects.requireNonNull(params, "params");
        ContextDefaults d = services.defaults();
        changeParameters(p -> Parameters.merge(p, params, d.supportedSuites(), d.supportedProtocols()));
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        lock.lock();
        try {
            configure(settings.withSelector(selector));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return settings.applicationProtocolSelector();
    }

    @Override
    public String toString() {
        // No call into the protocol engine: a toString must never wait.
        return "AsyncSSLEngine[#" + trace.engineId() + ", " + (modeSet ? (clientMode ? "client" : "server") : "mode unset")
                + ", " + state + ", peer " + getPeerHost() + ":" + getPeerPort() + "]";
    }
}
