package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.offload.HandshakeJob;
import dev.asyncjsse.offload.JobScheduler;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The BCJSSE path: a {@link ProtocolEngine} over Bouncy Castle's engine (the <em>inner</em> engine).
 * The records that may wait for a key operation ({@link RecordClassifier}) are processed in a
 * {@link HandshakeJob}; everything else runs inline. {@link BcConformance} makes Bouncy Castle's
 * answers match SunJSSE's.
 *
 * <p>Threading, beyond {@link ProtocolEngine}'s contract. Bouncy Castle holds its engine's monitor
 * for the whole inner call, key operation included; so while a job runs, the query methods answer
 * from a {@link Snapshot} taken before it started (except on the job's own thread: a key manager
 * asking for the handshake session, whose monitor that thread already holds), and new settings wait
 * until the job's outcome is taken. {@link #takeStep} is the one place where that happens.
 */
final class BcProtocolEngine implements ProtocolEngine {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine inner;
    private final EngineSetup setup;
    private final ContextServices services;
    private final BcConformance conformance;

    /** The job in flight, or done and not yet taken. */
    private volatile BcStep step;
    /** What the query methods answer on other threads while {@link #step} is set. */
    private volatile Snapshot snapshot;
    private volatile AsyncStatus asyncStatus = AsyncStatus.OK;
    /** Application data a taken step produced that the application has not received yet, in read mode. */
    private volatile ByteBuffer undelivered = EMPTY;
    private volatile EngineSettings settings;
    /** Settings that arrived while a step was in flight. */
    private EngineSettings deferredSettings;
    private BiFunction<SSLEngine, List<String>, String> appliedSelector;
    private boolean peerSentChangeCipherSpec;
    private boolean handshakeFragmentPending;
    /** closeOutbound sent close_notify and left the inbound side open (a half close). */
    private volatile boolean halfClosed;
    /** The half close's close_notify has been wrapped. */
    private volatile boolean closeNotifySent;
    /**
     * closeOutbound had to close Bouncy Castle's engine entirely (during the handshake): its inbound
     * side is reported open until the application closes it or reads once more, as SunJSSE reports it.
     */
    private volatile boolean inboundOpenAfterClose;

    BcProtocolEngine(SSLEngine inner, EngineSetup setup) {
        this.inner = inner;
        this.setup = setup;
        this.services = setup.services();
        this.conformance = new BcConformance(setup.clientMode());
        this.settings = setup.settings();
    }

    /** Applies settings to the inner engine. Called with no step in flight. */
    void apply(EngineSettings changed) {
        settings = changed;
        inner.setSSLParameters(changed.parameters());
        inner.setEnableSessionCreation(changed.sessionCreation());
        BiFunction<SSLEngine, List<String>, String> selector = changed.applicationProtocolSelector();
        if (selector != appliedSelector) {
            appliedSelector = selector;
            inner.setHandshakeApplicationProtocolSelector(
                    selector == null ? null : (bcEngine, offered) -> selector.apply(setup.engine(), offered));
        }
    }

    // ---------------------------------------------------------------- driving

    @Override
    public void beginHandshake() throws SSLException {
        conformance.restrictProtocols(inner);
        callInner(() -> {
            inner.beginHandshake();
            return null;
        }, -1);
    }

    @Override
    public Step wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        if (step != null) {
            StepOutcome o = takeStep();
            rethrow(o);
            if (o.result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                return Step.done(conformance.result(o.result, 0, 0, inner));
            }
        }
        if (halfClosed) {
            return Step.done(wrapCloseNotify(dst));
        }
        SSLEngineResult r;
        if (conformance.takeSwallowDeferredFailure()) {
            // The step was cancelled by a close: the failure it left in the inner engine is ours, not
            // the application's. Drop it and produce the closing records.
            try {
                r = inner.wrap(srcs, offset, length, dst);
            } catch (SSLException | RuntimeException e) {
                r = callInner(() -> inner.wrap(srcs, offset, length, dst), -1);
            }
        } else {
            r = callInner(() -> inner.wrap(srcs, offset, length, dst), -1);
        }
        r = conformance.afterWrap(r, dst);
        return Step.done(conformance.result(r, r.bytesConsumed(), r.bytesProduced(), inner));
    }

    /** After a half close: the queued close_notify, then nothing; application data is not taken. */
    private SSLEngineResult wrapCloseNotify(ByteBuffer dst) throws SSLException {
        if (closeNotifySent) {
            return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, 0);
        }
        SSLEngineResult r = callInner(() -> inner.wrap(new ByteBuffer[0], 0, 0, dst), -1);
        if (r.getStatus() == Status.BUFFER_OVERFLOW) {
            return r;
        }
        if (inner.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
            closeNotifySent = true;
            return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, r.bytesProduced());
        }
        return new SSLEngineResult(Status.OK, HandshakeStatus.NEED_WRAP, 0, r.bytesProduced());
    }

    @Override
    public Step unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        if (inboundOpenAfterClose) {
            inboundOpenAfterClose = false;
            return Step.done(new SSLEngineResult(Status.CLOSED, handshakeStatus(), 0, 0));
        }
        if (step != null) {
            StepOutcome o = takeStep();
            rethrow(o);
            int produced = deliver(dsts, offset, length);
            SSLEngineResult delivered = conformance.result(o.result, 0, produced, inner);
            boolean onlyWantsMore = delivered.getStatus() == Status.OK && produced == 0
                    && delivered.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP && src.hasRemaining();
            if (!onlyWantsMore) {
                return Step.done(delivered);
            }
        } else if (undelivered.hasRemaining()) {
            int produced = deliver(dsts, offset, length);
            return Step.done(new SSLEngineResult(Status.OK, handshakeStatus(), 0, produced));
        }
        return unwrapRecord(src, dsts, offset, length);
    }

    /** One record from {@code src}: in a job if it may wait, inline otherwise. */
    private Step unwrapRecord(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        RecordClassifier.Decision d = RecordClassifier.classify(src, facts());
        if (d.fragmentPending != null) {
            handshakeFragmentPending = d.fragmentPending;
        }
        if (d.inJob) {
            return runStep(src, dsts, offset, length, d.keyStep);
        }
        if (TlsRecords.contentType(src) == TlsRecords.CHANGE_CIPHER_SPEC) {
            peerSentChangeCipherSpec = true;
        }
        boolean handshaking = !conformance.finished();
        SSLEngineResult r = callInner(() -> unwrapInner(src, dsts, offset, length, handshaking), TlsRecords.contentType(src));
        if (r.bytesProduced() > 0 && conformance.finished()) {
            conformance.appDataReceived();
        }
        return Step.done(conformance.result(r, r.bytesConsumed(), r.bytesProduced(), inner));
    }

    private RecordClassifier.Facts facts() {
        boolean clientMode = setup.clientMode();
        boolean clientAuth = !clientMode && (settings.parameters().getNeedClientAuth() || settings.parameters().getWantClientAuth());
        Supplier<String> suite = () -> {
            SSLSession session = inner.getHandshakeSession();
            return session != null ? session.getCipherSuite() : null;
        };
        boolean tls12FinishedNext = peerSentChangeCipherSpec && "TLSv1.2".equals(handshakeProtocol());
        return new RecordClassifier.Facts(clientMode, !conformance.finished() && !conformance.failed(),
                services.offloader() != null, clientAuth, tls12FinishedNext, handshakeFragmentPending, suite);
    }

    private String handshakeProtocol() {
        SSLSession session = inner.getHandshakeSession();
        return session != null ? session.getProtocol() : null;
    }

    /**
     * Runs the record at {@code src}'s position in a job. Returns its result if the job finishes within
     * the wait budget, otherwise a wait; a wait for capacity if the job cannot start.
     */
    private Step runStep(ByteBuffer src, ByteBuffer[] dsts, int offset, int length, boolean keyStep) throws SSLException {
        KeyOffloader offloader = services.offloader();
        JobScheduler scheduler = services.scheduler();
        if (keyStep && offloader.isSaturated()) {
            return Step.waiting(StageWait.forCapacity(offloader::whenUnsaturated, services.offloadTimeout()), 0);
        }
        int recordLength = TlsRecords.recordLength(src);
        ByteBuffer record = ByteBuffer.allocate(recordLength);
        ByteBuffer view = src.duplicate();
        view.limit(view.position() + recordLength);
        record.put(view).flip();
        ByteBuffer out = ByteBuffer.allocate(Math.max(inner.getSession().getApplicationBufferSize(), 1 << 14));
        ByteBuffer[] outs = {out};
        HandshakeJob job = new HandshakeJob(() -> unwrapInner(record, outs, 0, 1, true), services.offloadTimeout(), setup.trace());
        snapshot = Snapshot.of(inner);
        BcStep started = new BcStep(job, out, keyStep);
        step = started;
        if (!job.start(scheduler)) {
            step = null;
            snapshot = null;
            return Step.waiting(StageWait.forCapacity(scheduler::whenCapacity, services.offloadTimeout()), 0);
        }
        src.position(src.position() + recordLength);
        asyncStatus = AsyncStatus.OK;
        if (!job.awaitSettled(services.waitBudgetNanos(keyStep))) {
            if (keyStep && job.hasParked()) {
                services.keyStepOutcome(true);
            }
            return Step.waiting(new JobWait(job), recordLength);
        }
        StepOutcome o = takeStep();
        rethrow(o);
        int produced = deliver(dsts, offset, length);
        return Step.done(conformance.result(o.result, recordLength, produced, inner));
    }

    /**
     * Takes the outcome of the done step: the one place where a step ends. The inner engine is free
     * again, so deferred settings apply and the query methods go back to it.
     */
    private StepOutcome takeStep() {
        BcStep done = step;
        StepOutcome o = done.outcome();
        step = null;
        snapshot = null;
        if (done.keyStep) {
            services.keyStepOutcome(o.parked);
        }
        if (o.offloadFailure != null) {
            asyncStatus = AsyncStatus.ERR;
        }
        undelivered = o.appData.duplicate();
        EngineSettings pending = deferredSettings;
        if (pending != null) {
            deferredSettings = null;
            apply(pending);
        }
        return o;
    }

    /** Throws a taken step's failure as the application should see it. */
    private void rethrow(StepOutcome o) throws SSLException {
        if (o.failed()) {
            throw conformance.fail(asSslException(o.failure), o.offloadFailure, needClientAuth(), -1);
        }
    }

    private static SSLException asSslException(Throwable failure) {
        return failure instanceof SSLException ? (SSLException) failure
                : new SSLException("the TLS engine failed: " + failure, failure);
    }

    private boolean needClientAuth() {
        return settings.parameters().getNeedClientAuth();
    }

    private int deliver(ByteBuffer[] dsts, int offset, int length) {
        ByteBuffer from = undelivered;
        int copied = 0;
        for (int i = offset; i < offset + length && from.hasRemaining(); i++) {
            ByteBuffer dst = dsts[i];
            int n = Math.min(dst.remaining(), from.remaining());
            if (n > 0) {
                ByteBuffer part = from.duplicate();
                part.limit(part.position() + n);
                dst.put(part);
                from.position(from.position() + n);
                copied += n;
            }
        }
        if (!from.hasRemaining()) {
            undelivered = EMPTY;
        }
        return copied;
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
            conformance.captureServerNames(inner);
        }
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            SSLException deferred = BcInternals.takeDeferred(inner);
            if (deferred != null) {
                throw deferred;
            }
        }
        return result;
    }

    @FunctionalInterface
    private interface InnerCall<T> {
        T call() throws SSLException;
    }

    /**
     * Calls the inner engine and turns whatever it throws into the exception the contract documents.
     *
     * @param recordType the content type of the record the call reads, or -1
     */
    private <T> T callInner(InnerCall<T> call, int recordType) throws SSLException {
        try {
            return call.call();
        } catch (SSLException e) {
            throw conformance.fail(e, null, needClientAuth(), recordType);
        } catch (RuntimeException e) {
            throw conformance.fail(new SSLException("the TLS engine failed: " + e, e), null, needClientAuth(), recordType);
        }
    }

    @Override
    public void closeInbound() throws SSLException {
        dropStep();
        inboundOpenAfterClose = false;
        callInner(() -> {
            inner.closeInbound();
            return null;
        }, -1);
    }

    /**
     * An established connection is half closed: close_notify goes out and the peer's data and
     * close_notify can still be read (RFC 8446 section 6.1; SunJSSE does the same in TLS 1.2). During
     * the handshake, or if the half close is not possible, Bouncy Castle's engine closes entirely.
     */
    @Override
    public void closeOutbound() {
        dropStep();
        if (halfClosed) {
            return;
        }
        if (conformance.finished() && !conformance.failed() && !inner.isInboundDone() && BcInternals.sendCloseNotify(inner)) {
            halfClosed = true;
            return;
        }
        boolean inboundWasOpen = !inner.isInboundDone();
        inner.closeOutbound();
        inboundOpenAfterClose = inboundWasOpen && inner.isInboundDone();
    }

    /**
     * A close ends a done step without reporting it: a step that failed, or whose operation was
     * cancelled (Bouncy Castle then defers the failure to the next wrap), leaves a handshake that
     * cannot complete, and only the closing records are wanted.
     */
    private void dropStep() {
        if (step == null) {
            return;
        }
        StepOutcome o = takeStep();
        if (o.failed() || o.offloadFailure != null) {
            conformance.swallowDeferredFailure();
        } else {
            conformance.result(o.result, 0, 0, inner);
        }
    }

    @Override
    public void configure(EngineSettings changed) {
        if (step != null) {
            deferredSettings = changed;
            settings = changed;
        } else {
            apply(changed);
        }
    }

    // ---------------------------------------------------------------- queries

    @Override
    public HandshakeStatus handshakeStatus() {
        BcStep s = step;
        if (s != null) {
            if (!s.job.isDone()) {
                return s.job.isJobThread(Thread.currentThread()) ? inner.getHandshakeStatus() : HandshakeStatus.NEED_TASK;
            }
            return s.outcome().pendingStatus(inner.getHandshakeStatus());
        }
        if (undelivered.hasRemaining()) {
            return HandshakeStatus.NEED_UNWRAP;
        }
        if (conformance.alertPending()) {
            return HandshakeStatus.NEED_WRAP;
        }
        HandshakeStatus hs = inner.getHandshakeStatus();
        if (closeNotifySent && hs == HandshakeStatus.NEED_WRAP) {
            // Bouncy Castle answers the peer's close_notify with one of its own; ours is already out
            return HandshakeStatus.NOT_HANDSHAKING;
        }
        return hs;
    }

    @Override
    public AsyncStatus asyncStatus() {
        return asyncStatus;
    }

    /** The snapshot to answer from on this thread, or {@code null} to ask the inner engine. */
    private <T> T read(Supplier<T> fromInner, Function<Snapshot, T> fromSnapshot) {
        Snapshot snap = snapshot;
        BcStep s = step;
        if (snap != null && s != null && !s.job.isJobThread(Thread.currentThread())) {
            return fromSnapshot.apply(snap);
        }
        return fromInner.get();
    }

    @Override
    public boolean isInboundDone() {
        return !inboundOpenAfterClose && read(inner::isInboundDone, s -> s.inboundDone);
    }

    @Override
    public boolean isOutboundDone() {
        return halfClosed ? closeNotifySent : read(inner::isOutboundDone, s -> s.outboundDone);
    }

    @Override
    public SSLSession session() {
        return conformance.established(read(inner::getSession, s -> s.session));
    }

    @Override
    public SSLSession handshakeSession() {
        return conformance.handshake(read(inner::getHandshakeSession, s -> s.handshakeSession));
    }

    @Override
    public String applicationProtocol() {
        return read(inner::getApplicationProtocol, s -> s.applicationProtocol);
    }

    @Override
    public String handshakeApplicationProtocol() {
        return read(inner::getHandshakeApplicationProtocol, s -> s.handshakeApplicationProtocol);
    }
}
