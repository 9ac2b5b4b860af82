package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.OffloadCallback;
import dev.asyncjsse.offload.HandshakeJob;
import dev.asyncjsse.offload.JobScheduler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * AsyncJSSE's engine: a decorator over Bouncy Castle's engine that enforces the
 * {@code SSLEngine} contract and runs the handshake steps that may block in {@link HandshakeJob}s.
 *
 * <p>Concurrency. {@code wrap}, {@code unwrap}, {@code beginHandshake} and the close methods hold
 * {@link #lock}. Getters take no lock: while a step is in flight on another thread they answer from
 * {@link Snapshot}, because Bouncy Castle holds its engine monitor for the whole key operation; on
 * the job's own thread (a key manager asking for the handshake session) they go to the inner engine,
 * whose monitor that thread already holds.
 *
 * <p>Input. Bytes taken from the caller but not yet processed by the inner engine live in
 * {@link #stash}: the record a job works on, and the records of a buffered handshake.
 */
final class AsyncEngine extends AsyncSSLEngine {

    private static final System.Logger LOG = System.getLogger(AsyncEngine.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine inner;
    private final ContextConfig config;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile EngineState state = EngineState.NEW;
    private volatile boolean modeSet;
    private volatile boolean clientMode;
    private volatile boolean closed;
    private volatile CallbackBinding callback;
    private volatile AsyncStatus asyncStatus = AsyncStatus.OK;
    private volatile HandshakeJob job;
    private volatile Snapshot snapshot;
    private volatile CompletableFuture<Void> capacityReady;

    /** Unprocessed inbound bytes, in read mode (position to limit). */
    private ByteBuffer stash = EMPTY;
    /** Application data a job's step produced, in read mode. */
    private ByteBuffer stepOut = EMPTY;
    private SSLEngineResult stepResult;
    private SSLException stepFailure;
    private Throwable offloadFailure;
    private final List<Consumer<SSLEngine>> deferred = new ArrayList<>();

    AsyncEngine(SSLEngine inner, ContextConfig config) {
        super(inner.getPeerHost(), inner.getPeerPort());
        this.inner = inner;
        this.config = config;
        this.callback = config.defaultCallback();
    }

    // ---------------------------------------------------------------- state

    /** The one place where {@link #state} changes. Called with {@link #lock} held. */
    private void moveTo(EngineState next) {
        EngineState current = state;
        if (current == next) {
            return;
        }
        if (!current.canMoveTo(next)) {
            throw new IllegalStateException("engine state " + current + " cannot move to " + next);
        }
        if (next.offloadPending()) {
            pendingTaskHandedOut = false;
        }
        state = next;
    }

    private boolean foreignThreadDuringStep() {
        HandshakeJob j = job;
        return j != null && state.stepInFlight() && !j.isJobThread(Thread.currentThread());
    }

    private void requireMode() {
        if (!modeSet) {
            throw new IllegalStateException("the client/server mode has not been set: call setUseClientMode first");
        }
    }

    // ---------------------------------------------------------------- offload API

    @Override
    public void setOffloadCallback(OffloadCallback cb, Object arg) {
        callback = cb == null ? CallbackBinding.NONE : new CallbackBinding(cb, arg);
    }

    @Override
    public AsyncStatus getAsyncStatus() {
        if (config.offloader() == null && asyncStatus == AsyncStatus.OK) {
            return AsyncStatus.UNSUPPORTED;
        }
        return asyncStatus;
    }

    @Override
    public boolean isOffloadPending() {
        switch (state) {
            case STEP_PENDING:
                HandshakeJob j = job;
                return j != null && !j.isDone();
            case CAPACITY_WAIT:
                CompletableFuture<Void> ready = capacityReady;
                return ready == null || !ready.isDone();
            default:
                return false;
        }
    }

    private void fireCallback() {
        if (closed) {
            return;
        }
        CallbackBinding binding = callback;
        if (binding.callback == null) {
            return;
        }
        try {
            binding.callback.offloadComplete(this, binding.arg);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "offload callback threw; the connection is unaffected", e);
        }
    }

    /** Runs on the job thread when a step whose caller detached has finished. */
    private void stepFinishedDetached() {
        fireCallback();
    }

    private void capacityAvailable() {
        CompletableFuture<Void> ready = capacityReady;
        if (ready != null) {
            ready.complete(null);
        }
        if (state == EngineState.CAPACITY_WAIT) {
            if (registeringThread == Thread.currentThread()) {
                // Capacity came back while the caller was still registering, inside its wrap/unwrap: the
                // callback must not run re-entrantly there, so it runs on another thread.
                CompletableFuture.runAsync(this::fireCallback);
            } else {
                fireCallback();
            }
        }
    }

    /** The thread registering a capacity listener, while it does. */
    private volatile Thread registeringThread;

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
                    callInner(() -> {
                        inner.beginHandshake();
                        return null;
                    });
                    break;
                case ESTABLISHED:
                    throw new SSLException("AsyncJSSE does not renegotiate: a new handshake on an established "
                            + "connection (TLS 1.2 renegotiation, or a TLS 1.3 key update requested through beginHandshake) "
                            + "is not supported; open a new connection instead");
                case FAILED:
                    throw new SSLException("the handshake has failed; the engine can only be closed");
                default:
                    break;
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
            if (state == EngineState.ESTABLISHED || state == EngineState.FAILED) {
                throw new SSLException("beginHandshake(ByteBuffer) needs an engine whose handshake has not completed; state is " + state);
            }
            int taken = handshakePrefixLength(buffered);
            if (state == EngineState.NEW) {
                startHandshake();
                callInner(() -> {
                    inner.beginHandshake();
                    return null;
                });
            }
            if (taken > 0) {
                ByteBuffer slice = buffered.duplicate();
                slice.limit(slice.position() + taken);
                appendToStash(slice);
                buffered.position(buffered.position() + taken);
            }
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many leading bytes of {@code buffered} are handshake records: whole records of the handshake
     * content types, then a partial one at the end if its type (when known) is one.
     */
    private static int handshakePrefixLength(ByteBuffer buffered) {
        ByteBuffer view = buffered.duplicate();
        int taken = 0;
        while (view.hasRemaining()) {
            int type = TlsRecords.contentType(view);
            if (!TlsRecords.isHandshakePhaseType(type)) {
                break;
            }
            int length = TlsRecords.recordLength(view);
            if (length < 0 || length > view.remaining()) {
                taken += view.remaining();
                break;
            }
            taken += length;
            view.position(view.position() + length);
        }
        return taken;
    }

    /**
     * Leaves NEW. A client does not offer protocol versions that none of its enabled suites can serve
     * (SunJSSE does the same): a client with only TLS 1.2 suites would otherwise offer TLS 1.3 and fail
     * against a server that picks it.
     */
    private void startHandshake() {
        moveTo(EngineState.HANDSHAKING);
        if (!clientMode) {
            return;
        }
        String[] suites = inner.getEnabledCipherSuites();
        boolean tls13Suite = false;
        boolean legacySuite = false;
        for (String suite : suites) {
            if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_") || suite.startsWith("TLS_SM4_")) {
                tls13Suite = true;
            } else if (!suite.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV") && !suite.equals("TLS_FALLBACK_SCSV")) {
                legacySuite = true;
            }
        }
        if (tls13Suite == legacySuite) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String protocol : inner.getEnabledProtocols()) {
            if (protocol.equals("TLSv1.3") == tls13Suite) {
                kept.add(protocol);
            }
        }
        if (!kept.isEmpty()) {
            inner.setEnabledProtocols(kept.toArray(new String[0]));
        }
    }

    private void checkNotClosed() throws SSLException {
        if (inner.isOutboundDone()) {
            throw new SSLException("the engine is closed");
        }
    }

    /**
     * The common start of {@code wrap} and {@code unwrap}, with the lock held: takes a finished job's
     * outcome, retries after a capacity wait, or starts the handshake.
     *
     * @return the pending result if the engine must still wait, otherwise {@code null}
     */
    private SSLEngineResult resumeOrStillPending() throws SSLException {
        requireMode();
        switch (state) {
            case STEP_PENDING:
                if (!job.isDone()) {
                    return offloadPendingResult(0);
                }
                finishStep();
                return null;
            case CAPACITY_WAIT:
                if (!capacityAvailableNow()) {
                    return waitForCapacityAgain();
                }
                moveTo(EngineState.HANDSHAKING);
                return null;
            case NEW:
                startHandshake();
                return null;
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- wrap

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        BufferChecks.checkWrap(srcs, offset, length, dst);
        lock.lock();
        try {
            SSLEngineResult stillPending = resumeOrStillPending();
            if (stillPending != null) {
                return stillPending;
            }
            if (state == EngineState.STEP_DONE) {
                throwStepFailure();
                boolean finished = stepResult.getHandshakeStatus() == HandshakeStatus.FINISHED;
                acceptStepResult();
                if (finished) {
                    moveTo(EngineState.ESTABLISHED);
                    return new SSLEngineResult(Status.OK, HandshakeStatus.FINISHED, 0, 0);
                }
            }
            SSLEngineResult r;
            if (swallowDeferredFailure) {
                // The step was cancelled by a close: the failure it left in the inner engine is ours, not
                // the application's. Drop it and produce the closing records.
                swallowDeferredFailure = false;
                try {
                    r = inner.wrap(srcs, offset, length, dst);
                } catch (SSLException | RuntimeException e) {
                    r = callInner(() -> inner.wrap(srcs, offset, length, dst));
                }
            } else {
                r = callInner(() -> inner.wrap(srcs, offset, length, dst));
            }
            if (r.bytesProduced() > 0) {
                producedAny = true;
            } else if (state == EngineState.FAILED) {
                r = plainAlert(r, dst);
                if (r.bytesProduced() > 0) {
                    return r;
                }
            }
            return translate(r, r.bytesConsumed(), r.bytesProduced());
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- unwrap

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        BufferChecks.checkUnwrap(src, dsts, offset, length);
        lock.lock();
        try {
            SSLEngineResult stillPending = resumeOrStillPending();
            if (stillPending != null) {
                return stillPending;
            }
            int produced = 0;
            if (state == EngineState.STEP_DONE) {
                throwStepFailure();
                SSLEngineResult r = stepResult;
                acceptStepResult();
                produced = drainStepOut(dsts, offset, length);
                SSLEngineResult delivered = translate(r, 0, produced);
                if (delivered.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP || stepOut.hasRemaining()
                        || delivered.getStatus() != Status.OK) {
                    return delivered;
                }
            }
            return unwrapInput(src, dsts, offset, length, produced);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Processes the stash first, then {@code src}: one inner call per record, continuing across stashed
     * records while the handshake only wants more input, so read-ahead bytes never stall a loop that
     * waits for the socket.
     */
    private SSLEngineResult unwrapInput(ByteBuffer src, ByteBuffer[] dsts, int offset, int length, int producedSoFar)
            throws SSLException {
        int consumed = 0;
        int produced = producedSoFar;
        while (true) {
            ByteBuffer input;
            if (stash.hasRemaining()) {
                int missing = TlsRecords.missingBytes(stash);
                if (missing > 0) {
                    int n = Math.min(missing, src.remaining());
                    if (n > 0) {
                        ByteBuffer part = src.duplicate();
                        part.limit(part.position() + n);
                        appendToStash(part);
                        src.position(src.position() + n);
                        consumed += n;
                    }
                    if (TlsRecords.missingBytes(stash) > 0) {
                        Status status = consumed > 0 || produced > 0 ? Status.OK : Status.BUFFER_UNDERFLOW;
                        return new SSLEngineResult(status, currentHandshakeStatus(), consumed, produced);
                    }
                }
                input = stash;
            } else {
                input = src;
            }

            if (shouldRunInJob(input)) {
                return runStep(src, input, dsts, offset, length, consumed, produced);
            }
            if (TlsRecords.contentType(input) == TlsRecords.CHANGE_CIPHER_SPEC) {
                peerSentChangeCipherSpec = true;
            }
            ByteBuffer in = input;
            boolean handshaking = state == EngineState.HANDSHAKING;
            SSLEngineResult r = callInner(() -> unwrapInner(in, dsts, offset, length, handshaking));
            if (r.bytesProduced() > 0 && state == EngineState.ESTABLISHED) {
                appDataReceived = true;
            }
            if (input == src) {
                return translate(r, consumed + r.bytesConsumed(), produced + r.bytesProduced());
            }
            produced += r.bytesProduced();
            compactStash();
            SSLEngineResult t = translate(r, consumed, produced);
            boolean keepGoing = r.getStatus() == Status.OK && t.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP
                    && r.bytesProduced() == 0 && (stash.hasRemaining() || src.hasRemaining());
            if (!keepGoing) {
                return t;
            }
        }
    }

    private boolean peerSentChangeCipherSpec;

    /** Whether the record at {@code input}'s position may carry a key operation and so runs in a job. */
    private boolean shouldRunInJob(ByteBuffer input) {
        if (state != EngineState.HANDSHAKING || config.offloader() == null || !TlsRecords.hasCompleteRecord(input)) {
            return false;
        }
        if (TlsRecords.recordLength(input) > TlsRecords.MAX_RECORD_LENGTH) {
            return false;
        }
        int type = TlsRecords.contentType(input);
        if (type == TlsRecords.HANDSHAKE) {
            // After the peer's ChangeCipherSpec, a TLS 1.2 handshake record is its Finished: no key
            // operation. (In TLS 1.3 a ChangeCipherSpec is only for middleboxes, and a second
            // ClientHello after a HelloRetryRequest may still follow.)
            if (peerSentChangeCipherSpec && "TLSv1.2".equals(handshakeProtocol())) {
                return false;
            }
            return plaintextHandshakeMayBlock(input);
        }
        if (type == TlsRecords.APPLICATION_DATA) {
            // TLS 1.3 hides the handshake in application_data records. A client may have to sign (client
            // auth); a server only checks the client's certificate, which may await a trust-manager lookup.
            stepNeedsOffloader = clientMode;
            return inner.getUseClientMode() || inner.getNeedClientAuth() || inner.getWantClientAuth();
        }
        return false;
    }

    private static final long CLIENT_HELLO = 1L << 1;
    private static final long CERTIFICATE = 1L << 11;
    private static final long SERVER_HELLO_DONE = 1L << 14;
    private static final long CLIENT_KEY_EXCHANGE = 1L << 16;

    /** Whether the step {@link #shouldRunInJob} approved may use the offloader (and so waits for its capacity). */
    private boolean stepNeedsOffloader = true;

    /** Set while the peer's plaintext handshake messages span records: the next one completes them. */
    private boolean handshakeFragmentPending;

    /**
     * Whether a plaintext handshake record holds a message whose processing may wait: a ClientHello
     * (the server signs), a ClientKeyExchange of RSA key exchange (the server decrypts), a Certificate
     * (the trust manager may look something up), a ServerHelloDone (a TLS 1.2 client may sign).
     * Everything else runs inline, with no handoff.
     */
    private boolean plaintextHandshakeMayBlock(ByteBuffer record) {
        long mask = TlsRecords.handshakeTypeMask(record);
        boolean continuation = handshakeFragmentPending;
        handshakeFragmentPending = mask == -1;
        stepNeedsOffloader = true;
        if (mask == -1 || continuation) {
            return true;
        }
        boolean keyOperation;
        if (clientMode) {
            keyOperation = (mask & SERVER_HELLO_DONE) != 0;
        } else if ((mask & CLIENT_HELLO) != 0) {
            keyOperation = true;
        } else if ((mask & CLIENT_KEY_EXCHANGE) != 0) {
            SSLSession session = inner.getHandshakeSession();
            keyOperation = session == null || session.getCipherSuite().startsWith("TLS_RSA_");
        } else {
            keyOperation = false;
        }
        if (keyOperation) {
            return true;
        }
        if ((mask & CERTIFICATE) != 0) {
            // the trust manager may wait (revocation, lookup), but no key operation: offloader capacity is not needed
            stepNeedsOffloader = false;
            return true;
        }
        return false;
    }

    private String handshakeProtocol() {
        SSLSession session = inner.getHandshakeSession();
        return session != null ? session.getProtocol() : null;
    }

    private SSLEngineResult runStep(ByteBuffer src, ByteBuffer input, ByteBuffer[] dsts, int offset, int length,
                                    int consumedSoFar, int producedSoFar) throws SSLException {
        KeyOffloader offloader = config.offloader();
        JobScheduler scheduler = config.scheduler();
        if (stepNeedsOffloader && offloader.isSaturated()) {
            return enterCapacityWait(consumedSoFar, offloader::whenUnsaturated);
        }
        int srcStart = src.position();
        int stashLimit = stash.limit();
        int consumed = consumedSoFar;
        if (input == src) {
            int recordLength = TlsRecords.recordLength(src);
            ByteBuffer record = src.duplicate();
            record.limit(record.position() + recordLength);
            appendToStash(record);
            src.position(src.position() + recordLength);
            consumed += recordLength;
        }
        snapshot = Snapshot.of(inner);
        ByteBuffer jobIn = stash;
        ByteBuffer jobOut = ByteBuffer.allocate(Math.max(inner.getSession().getApplicationBufferSize(), 1 << 14));
        ByteBuffer[] jobOuts = {jobOut};
        HandshakeJob step = new HandshakeJob(() -> unwrapInner(jobIn, jobOuts, 0, 1, true), config.offloadTimeout(),
                this::stepFinishedDetached);
        job = step;
        moveTo(EngineState.STEP_PENDING);
        if (!step.start(scheduler)) {
            job = null;
            state = EngineState.HANDSHAKING;
            if (input == src) {
                src.position(srcStart);
                stash.limit(stashLimit);
                consumed = consumedSoFar;
            }
            return enterCapacityWait(consumed, scheduler::whenCapacity);
        }
        asyncStatus = AsyncStatus.OK;
        stepOutBuffer = jobOut;
        stepIsKeyStep = stepNeedsOffloader;
        if (!step.awaitSettled(config.waitBudgetNanos(stepIsKeyStep))) {
            if (stepIsKeyStep && step.hasParked()) {
                config.keyStepOutcome(true);
            }
            return offloadPendingResult(consumed);
        }
        finishStep();
        throwStepFailure();
        SSLEngineResult r = stepResult;
        acceptStepResult();
        int produced = producedSoFar + drainStepOut(dsts, offset, length);
        SSLEngineResult t = translate(r, consumed, produced);
        boolean keepGoing = r.getStatus() == Status.OK && t.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP
                && !stepOut.hasRemaining() && (stash.hasRemaining() || src.hasRemaining());
        if (!keepGoing) {
            return t;
        }
        SSLEngineResult more = unwrapInput(src, dsts, offset, length, produced);
        return new SSLEngineResult(more.getStatus(), more.getHandshakeStatus(),
                consumed + more.bytesConsumed(), more.bytesProduced());
    }

    private ByteBuffer stepOutBuffer;

    private SSLEngineResult enterCapacityWait(int consumed, Consumer<Runnable> register) {
        moveTo(EngineState.CAPACITY_WAIT);
        pendingTaskHandedOut = false;
        asyncStatus = AsyncStatus.EAGAIN;
        capacityReady = new CompletableFuture<>();
        registeringThread = Thread.currentThread();
        try {
            register.accept(this::capacityAvailable);
        } finally {
            registeringThread = null;
        }
        return offloadPendingResult(consumed);
    }

    /**
     * A retry found no capacity. If the wake-up for this wait already came (someone else took the
     * capacity that freed up), wait again with a new wake-up; otherwise keep waiting for the one pending.
     */
    private SSLEngineResult waitForCapacityAgain() {
        CompletableFuture<Void> ready = capacityReady;
        if (ready != null && !ready.isDone()) {
            return offloadPendingResult(0);
        }
        KeyOffloader offloader = config.offloader();
        Consumer<Runnable> register = offloader != null && offloader.isSaturated()
                ? offloader::whenUnsaturated
                : config.scheduler()::whenCapacity;
        return enterCapacityWait(0, register);
    }

    private boolean capacityAvailableNow() {
        KeyOffloader offloader = config.offloader();
        boolean offloaderFree = offloader == null || !offloader.isSaturated();
        JobScheduler scheduler = config.scheduler();
        return offloaderFree && scheduler.activeJobs() < scheduler.capacity();
    }

    /** Takes the finished job's outcome. Called with the lock held, once the job is done. */
    /** Whether the step in flight may use the offloader. */
    private boolean stepIsKeyStep;

    private void finishStep() {
        HandshakeJob done = job;
        if (stepIsKeyStep) {
            config.keyStepOutcome(done.hasParked());
        }
        Throwable failure = done.failure();
        Throwable offload = done.offloadFailure();
        if (offload != null) {
            offloadFailure = offload;
            asyncStatus = AsyncStatus.ERR;
        }
        if (failure != null) {
            stepFailure = handshakeFailure(failure);
            stepResult = null;
        } else {
            stepResult = (SSLEngineResult) done.result();
            stepFailure = null;
        }
        stepOutBuffer.flip();
        stepOut = stepOutBuffer;
        stepOutBuffer = null;
        compactStash();
        job = null;
        snapshot = null;
        moveTo(EngineState.STEP_DONE);
        for (Consumer<SSLEngine> mutation : deferred) {
            mutation.accept(inner);
        }
        deferred.clear();
    }

    private void throwStepFailure() throws SSLException {
        if (stepFailure != null) {
            SSLException failure = stepFailure;
            stepFailure = null;
            stepResult = null;
            moveTo(EngineState.FAILED);
            throw failure;
        }
    }

    /**
     * Leaves STEP_DONE for HANDSHAKING; a FINISHED step result then moves the engine to ESTABLISHED in
     * {@link #translate}, which reports FINISHED exactly once.
     */
    private void acceptStepResult() {
        stepResult = null;
        moveTo(EngineState.HANDSHAKING);
    }

    private int drainStepOut(ByteBuffer[] dsts, int offset, int length) {
        int copied = 0;
        for (int i = offset; i < offset + length && stepOut.hasRemaining(); i++) {
            ByteBuffer dst = dsts[i];
            int n = Math.min(dst.remaining(), stepOut.remaining());
            if (n > 0) {
                ByteBuffer part = stepOut.duplicate();
                part.limit(part.position() + n);
                dst.put(part);
                stepOut.position(stepOut.position() + n);
                copied += n;
            }
        }
        return copied;
    }

    private void appendToStash(ByteBuffer bytes) {
        int needed = stash.remaining() + bytes.remaining();
        if (stash.capacity() - stash.limit() < bytes.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, Math.min(2 * needed, TlsRecords.MAX_RECORD_LENGTH * 2)));
            bigger.put(stash);
            bigger.flip();
            stash = bigger;
        }
        int start = stash.position();
        int limit = stash.limit();
        stash.position(limit);
        stash.limit(limit + bytes.remaining());
        stash.put(bytes);
        stash.position(start);
    }

    private void compactStash() {
        if (!stash.hasRemaining()) {
            stash = EMPTY;
        }
    }

    // ---------------------------------------------------------------- results and failures

    /**
     * Rewrites the inner engine's result so that {@code FINISHED} is reported exactly once, on the call
     * that completes the handshake, and moves the state along.
     */
    private SSLEngineResult translate(SSLEngineResult r, int consumed, int produced) {
        HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == HandshakeStatus.FINISHED) {
            if (state == EngineState.HANDSHAKING) {
                moveTo(EngineState.ESTABLISHED);
            } else {
                hs = inner.getHandshakeStatus();
            }
        } else if (hs == HandshakeStatus.NOT_HANDSHAKING && state == EngineState.HANDSHAKING
                && r.getStatus() != Status.CLOSED && handshakeCompleted()) {
            hs = HandshakeStatus.FINISHED;
            moveTo(EngineState.ESTABLISHED);
        }
        return new SSLEngineResult(r.getStatus(), hs, consumed, produced);
    }

    private boolean handshakeCompleted() {
        SSLSession session = inner.getSession();
        return session != null && !"SSL_NULL_WITH_NULL_NULL".equals(session.getCipherSuite());
    }

    @FunctionalInterface
    private interface InnerCall<T> {
        T call() throws SSLException;
    }

    /** Calls the inner engine and turns whatever it throws into the exception the contract documents. */
    private <T> T callInner(InnerCall<T> call) throws SSLException {
        try {
            return call.call();
        } catch (SSLException e) {
            throw fail(e);
        } catch (RuntimeException e) {
            throw fail(new SSLException("the TLS engine failed: " + e, e));
        }
    }

    private SSLException fail(SSLException e) {
        boolean handshaking = state != EngineState.ESTABLISHED && state != EngineState.FAILED;
        if (!handshaking && state == EngineState.ESTABLISHED && clientMode && !appDataReceived) {
            // A TLS 1.3 client is done after sending its Finished; the server may still reject its
            // certificate, and that alert arrives with the first read. SunJSSE reports it as a handshake failure.
            String alert = receivedHandshakeAlert(e);
            if (alert != null) {
                SSLHandshakeException h = new SSLHandshakeException("Received fatal alert: " + alert);
                h.initCause(e);
                return h;
            }
        }
        SSLException reported = handshaking ? handshakeFailure(e) : e;
        if (handshaking) {
            state = EngineState.FAILED;
            if (!clientMode && !producedAny) {
                // Bouncy Castle's server sends no alert before its first flight (e.g. for plain HTTP);
                // SunJSSE does, and peers and tests expect one.
                plainAlert = alertDescription(e);
            }
        }
        return reported;
    }

    /** Whether any application data has been received. */
    private boolean appDataReceived;

    /** The name of a received fatal alert about the handshake (certificates, parameters), or null. */
    private static String receivedHandshakeAlert(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.bouncycastle.tls.TlsFatalAlertReceived) {
                short d = ((org.bouncycastle.tls.TlsFatalAlertReceived) t).getAlertDescription();
                boolean handshakeRelated = (d >= 40 && d <= 49) || d == 70 || d == 71 || d == 109 || d == 110
                        || d == 112 || d == 113 || d == 115 || d == 116 || d == 120;
                return handshakeRelated ? org.bouncycastle.tls.AlertDescription.getName(d) : null;
            }
        }
        return null;
    }

    /** Whether the inner engine has produced any output yet. */
    private boolean producedAny;
    /** A plaintext fatal alert to send on the next wrap, or -1. */
    private int plainAlert = -1;

    private static int alertDescription(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.bouncycastle.tls.TlsFatalAlert) {
                return ((org.bouncycastle.tls.TlsFatalAlert) t).getAlertDescription();
            }
        }
        return org.bouncycastle.tls.AlertDescription.unexpected_message;
    }

    /** Puts the synthesized alert into {@code dst} if the inner engine had nothing to send. */
    private SSLEngineResult plainAlert(SSLEngineResult r, ByteBuffer dst) {
        if (plainAlert < 0 || r.bytesProduced() > 0 || dst.remaining() < 7) {
            return r;
        }
        dst.put(new byte[] {(byte) TlsRecords.ALERT, 3, 3, 0, 2, 2, (byte) plainAlert});
        plainAlert = -1;
        return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, r.bytesConsumed(), 7);
    }

    /** The exception a failed handshake reports: naming the offload failure when there was one. */
    private SSLException handshakeFailure(Throwable cause) {
        Throwable offload = offloadFailure;
        if (offload == null && job != null) {
            offload = job.offloadFailure();
        }
        SSLHandshakeException e;
        if (offload != null) {
            e = new SSLHandshakeException("key offload failed: " + Failures.describe(offload));
        } else {
            String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
            String why = rootReason(cause);
            if (why == null && !clientMode && message.endsWith("handshake_failure(40)") && needClientAuthNoLock()) {
                // Bouncy Castle gives no reason when a required client certificate is missing.
                why = "the client sent no certificate, but the server requires one (needClientAuth)";
            }
            if (why != null && !message.contains(why)) {
                message = message + ": " + why;
            } else if (cause instanceof SSLHandshakeException) {
                return (SSLHandshakeException) cause;
            }
            e = new SSLHandshakeException(message);
        }
        e.initCause(cause);
        return e;
    }

    private boolean needClientAuthNoLock() {
        try {
            return foreignThreadDuringStep() ? snapshot.parameters.getNeedClientAuth() : inner.getNeedClientAuth();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The deepest cause below the TLS layer (a certificate problem, a key service error), described,
     * or {@code null} if there is none: Bouncy Castle's own exceptions only name the alert.
     */
    private static String rootReason(Throwable failure) {
        Throwable deepest = null;
        int depth = 0;
        for (Throwable t = failure.getCause(); t != null && depth < 16; t = t.getCause(), depth++) {
            if (!(t instanceof SSLException) && !t.getClass().getName().startsWith("org.bouncycastle.tls.")) {
                deepest = t;
            }
        }
        if (deepest == null) {
            return null;
        }
        String message = deepest.getMessage();
        return message != null ? message : deepest.getClass().getSimpleName();
    }

    // ---------------------------------------------------------------- tasks

    /** Whether the waiting task of the current pending episode was handed out already. */
    private volatile boolean pendingTaskHandedOut;

    @Override
    public Runnable getDelegatedTask() {
        EngineState s = state;
        if (s.offloadPending()) {
            // One task per pending episode, as SSLEngine's contract expects: a loop that drains
            // tasks until null must terminate.
            if (pendingTaskHandedOut) {
                return null;
            }
            pendingTaskHandedOut = true;
        }
        if (s == EngineState.STEP_PENDING) {
            HandshakeJob pending = job;
            if (pending != null) {
                return () -> {
                    try {
                        pending.awaitDone();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                };
            }
        }
        if (s == EngineState.CAPACITY_WAIT) {
            CompletableFuture<Void> ready = capacityReady;
            return () -> {
                try {
                    ready.get(config.offloadTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        }
        if (s == EngineState.STEP_DONE) {
            return null;
        }
        return inner.getDelegatedTask();
    }

    @Override
    public HandshakeStatus getHandshakeStatus() {
        EngineState s = state;
        switch (s) {
            case STEP_PENDING:
                HandshakeJob j = job;
                if (j != null && j.isJobThread(Thread.currentThread())) {
                    return inner.getHandshakeStatus();
                }
                if (j != null && j.isDone()) {
                    return stepDoneStatus();
                }
                return HandshakeStatus.NEED_TASK;
            case CAPACITY_WAIT:
                CompletableFuture<Void> ready = capacityReady;
                if (ready != null && ready.isDone()) {
                    // A retry can succeed: the input the step did not take is still the caller's.
                    return HandshakeStatus.NEED_UNWRAP;
                }
                return HandshakeStatus.NEED_TASK;
            case STEP_DONE:
                return stepDoneStatus();
            case FAILED:
                return plainAlert >= 0 ? HandshakeStatus.NEED_WRAP : inner.getHandshakeStatus();
            default:
                return inner.getHandshakeStatus();
        }
    }

    private HandshakeStatus stepDoneStatus() {
        lock.lock();
        try {
            if (state == EngineState.STEP_PENDING && job != null && job.isDone()) {
                finishStep();
            }
            if (state != EngineState.STEP_DONE) {
                return getHandshakeStatus();
            }
            if (stepFailure != null || stepResult.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                return HandshakeStatus.NEED_WRAP;
            }
            if (stepOut.hasRemaining()) {
                return HandshakeStatus.NEED_UNWRAP;
            }
            return inner.getHandshakeStatus();
        } finally {
            lock.unlock();
        }
    }

    private HandshakeStatus currentHandshakeStatus() {
        return inner.getHandshakeStatus();
    }

    // ---------------------------------------------------------------- close

    @Override
    public void closeInbound() throws SSLException {
        closed = true;
        lock.lock();
        try {
            abandonStep();
            callInner(() -> {
                inner.closeInbound();
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isInboundDone() {
        Snapshot s = snapshotForForeignThread();
        return s != null ? s.inboundDone : inner.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        closed = true;
        lock.lock();
        try {
            abandonStep();
            inner.closeOutbound();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isOutboundDone() {
        Snapshot s = snapshotForForeignThread();
        return s != null ? s.outboundDone : inner.isOutboundDone();
    }

    /** Set when a close cancelled a step: the inner engine's deferred failure is not reported. */
    private boolean swallowDeferredFailure;

    /** Cancels a pending step and drops its outcome, so that the engine can produce its closing records. */
    private void abandonStep() {
        HandshakeJob pending = job;
        if (state == EngineState.STEP_PENDING && pending != null) {
            pending.cancel("the engine was closed while an offloaded operation was pending");
            try {
                if (!pending.awaitDone(TimeUnit.SECONDS.toNanos(30))) {
                    LOG.log(System.Logger.Level.WARNING, "a cancelled handshake job did not stop within 30 s");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            finishStep();
        }
        if (state == EngineState.STEP_DONE) {
            // A step that failed, or whose operation was cancelled (Bouncy Castle then defers the
            // failure to the next wrap), leaves a handshake that cannot complete.
            boolean failed = stepFailure != null || offloadFailure != null;
            stepFailure = null;
            if (failed) {
                swallowDeferredFailure = true;
                stepResult = null;
                moveTo(EngineState.FAILED);
            } else {
                boolean finished = stepResult != null && stepResult.getHandshakeStatus() == HandshakeStatus.FINISHED;
                acceptStepResult();
                if (finished) {
                    moveTo(EngineState.ESTABLISHED);
                }
            }
        }
        if (state == EngineState.CAPACITY_WAIT) {
            moveTo(EngineState.HANDSHAKING);
        }
    }

    // ---------------------------------------------------------------- getters (cached during a step)

    private Snapshot snapshotForForeignThread() {
        return foreignThreadDuringStep() ? snapshot : null;
    }

    private <T> T read(Supplier<T> fromInner, java.util.function.Function<Snapshot, T> fromSnapshot) {
        Snapshot s = snapshotForForeignThread();
        return s != null ? fromSnapshot.apply(s) : fromInner.get();
    }

    /** Applies a setting now, or after the step when one is in flight on another thread. */
    private void mutate(Consumer<SSLEngine> mutation) {
        HandshakeJob j = job;
        if (j != null && j.isJobThread(Thread.currentThread())) {
            mutation.accept(inner);
            return;
        }
        lock.lock();
        try {
            if (state.stepInFlight()) {
                deferred.add(mutation);
            } else {
                mutation.accept(inner);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public SSLSession getSession() {
        return established(read(inner::getSession, s -> s.session));
    }

    /** The server names of the ClientHello, captured from the handshake session on the server side. */
    private volatile List<javax.net.ssl.SNIServerName> requestedServerNames;
    private volatile EstablishedSession lastSession;

    private SSLSession established(SSLSession session) {
        if (session == null || clientMode) {
            return session;
        }
        EstablishedSession last = lastSession;
        if (last != null && (last.delegate == session || last.delegate.equals(session))) {
            return last;
        }
        EstablishedSession wrapped = new EstablishedSession(session, requestedServerNames);
        lastSession = wrapped;
        return wrapped;
    }

    /**
     * One inner {@code unwrap}, on whichever thread runs it. During the handshake it records the
     * requested server names. A failure Bouncy Castle defers to the next {@code wrap} (it then reports
     * OK with NEED_WRAP) is thrown here instead, so the call that read the bad input reports it; other
     * results, application data above all, skip that check.
     */
    private SSLEngineResult unwrapInner(ByteBuffer in, ByteBuffer[] dsts, int offset, int length, boolean handshaking)
            throws SSLException {
        SSLEngineResult result = inner.unwrap(in, dsts, offset, length);
        if (handshaking) {
            captureServerNames();
        }
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            SSLException deferred = Failures.takeDeferred(inner);
            if (deferred != null) {
                throw deferred;
            }
        }
        return result;
    }

    /** On the thread that owns the inner engine, after an unwrap: remember the requested server names. */
    private void captureServerNames() {
        if (clientMode || requestedServerNames != null) {
            return;
        }
        try {
            SSLSession hs = inner.getHandshakeSession();
            if (hs instanceof javax.net.ssl.ExtendedSSLSession) {
                requestedServerNames = List.copyOf(((javax.net.ssl.ExtendedSSLSession) hs).getRequestedServerNames());
                lastSession = null;
            }
        } catch (RuntimeException e) {
            // not available: the established session answers as Bouncy Castle does
        }
    }

    @Override
    public SSLSession getHandshakeSession() {
        return read(inner::getHandshakeSession, s -> s.handshakeSession);
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return inner.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return read(inner::getEnabledCipherSuites, s -> s.parameters.getCipherSuites());
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        mutate(e -> e.setEnabledCipherSuites(suites));
    }

    @Override
    public String[] getSupportedProtocols() {
        return inner.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return read(inner::getEnabledProtocols, s -> s.parameters.getProtocols());
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        mutate(e -> e.setEnabledProtocols(protocols));
    }

    @Override
    public void setUseClientMode(boolean mode) {
        lock.lock();
        try {
            if (state != EngineState.NEW) {
                throw new IllegalArgumentException("the client/server mode cannot change after the handshake has begun");
            }
            inner.setUseClientMode(mode);
            clientMode = mode;
            modeSet = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean getUseClientMode() {
        return read(inner::getUseClientMode, s -> s.clientMode);
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        mutate(e -> e.setNeedClientAuth(need));
    }

    @Override
    public boolean getNeedClientAuth() {
        return read(inner::getNeedClientAuth, s -> s.parameters.getNeedClientAuth());
    }

    @Override
    public void setWantClientAuth(boolean want) {
        mutate(e -> e.setWantClientAuth(want));
    }

    @Override
    public boolean getWantClientAuth() {
        return read(inner::getWantClientAuth, s -> s.parameters.getWantClientAuth());
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        mutate(e -> e.setEnableSessionCreation(flag));
    }

    @Override
    public boolean getEnableSessionCreation() {
        return read(inner::getEnableSessionCreation, s -> s.sessionCreation);
    }

    @Override
    public SSLParameters getSSLParameters() {
        return read(inner::getSSLParameters, s -> s.parameters);
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        mutate(e -> e.setSSLParameters(params));
    }

    @Override
    public String getApplicationProtocol() {
        return read(inner::getApplicationProtocol, s -> s.applicationProtocol);
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return read(inner::getHandshakeApplicationProtocol, s -> s.handshakeApplicationProtocol);
    }

    private volatile BiFunction<SSLEngine, List<String>, String> protocolSelector;

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        protocolSelector = selector;
        BiFunction<SSLEngine, List<String>, String> translated =
                selector == null ? null : (engine, offered) -> selector.apply(this, offered);
        mutate(e -> e.setHandshakeApplicationProtocolSelector(translated));
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return protocolSelector;
    }

    @Override
    public String toString() {
        // No call into the inner engine: a job may hold its monitor for the whole key operation.
        return "AsyncSSLEngine[" + (modeSet ? (clientMode ? "client" : "server") : "mode unset")
                + ", " + state + ", peer " + getPeerHost() + ":" + getPeerPort() + "]";
    }
}
