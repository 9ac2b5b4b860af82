package dev.asyncjsse.tls13;

import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.engine.EngineSettings;
import dev.asyncjsse.engine.ProtocolEngine;
import dev.asyncjsse.engine.Step;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Supplier;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * AsyncJSSE's own TLS 1.3 server: the record layer (RFC 8446, section 5) between the caller's buffers,
 * driving a {@link ServerHandshake}. It has the shape of an {@code SSLEngine}'s protocol half:
 * {@code wrap}/{@code unwrap} with the {@code SSLEngineResult} semantics of the JDK's engine, the
 * handshake status, the close methods and the sessions. The engine front in front of it owns the
 * {@code SSLEngine} API itself (argument checks, the offload-pending result and callback, delegated
 * tasks, locking).
 *
 * <p><b>Waiting.</b> While the handshake waits ({@link #pending()} is not {@code null}),
 * {@code wrap}/{@code unwrap} consume and produce nothing and report {@code NEED_TASK}. Once the
 * pending operation is settled, the next call continues the handshake on the calling thread.
 *
 * <p><b>Buffers.</b> Application data is sealed from the caller's source buffers straight into the
 * destination, and opened from the source straight into the first destination buffer when it has
 * room; only records that are not application data, or that must be scattered over several
 * destination buffers, pass through an internal buffer. No reference to a caller's buffer is kept.
 * One {@code unwrap} reads at most one record; one {@code wrap} writes as many whole records as fit.
 *
 * <p><b>Tickets.</b> When the client offered psk_dhe_ke, the {@code unwrap} of its Finished reports
 * {@code NEED_WRAP}, and the next {@code wrap} writes the NewSessionTickets, with that call's
 * application data after them, and reports {@code FINISHED}: the JDK's server does the same.
 *
 * <p><b>Failure.</b> A protocol violation fails the connection: the call throws the
 * {@code SSLException} subtype {@link TlsFailure#toSslException} names, the alert is queued (protected
 * like the last record sent), and the next {@code wrap} writes it and reports {@code CLOSED}.
 *
 * <p>Internal. Not thread-safe: the front serializes {@code wrap}, {@code unwrap}, the close methods
 * and {@code beginHandshake}. The getters may be called from any thread while those run (a key manager
 * asks for the handshake session from a job thread); they read only fields that are safe to read so.
 */
public final class Tls13ServerEngine implements ProtocolEngine {

    private static final int HEADER = RecordCipher.HEADER_LENGTH;
    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int ALERT = 21;
    private static final int HANDSHAKE = 22;
    private static final int APPLICATION_DATA = 23;
    private static final int MAX_PLAINTEXT = 1 << 14;
    /** Section 5.2: the most a protected record's payload may be. */
    private static final int MAX_CIPHERTEXT = (1 << 14) + 256;
    /** Section 5.4: content, type and padding together. */
    private static final int MAX_INNER_PLAINTEXT = (1 << 14) + 1;
    private static final int MAX_HANDSHAKE_MESSAGE = 1 << 16;
    /** How much refused early data the server skips before it calls the records bad (section 4.2.10). */
    private static final int MAX_SKIPPED_EARLY_DATA = 1 << 17;
    /** Records under one write key before the engine updates it (section 5.5 allows 2^24.5 for AES-GCM). */
    private static final long RECORDS_PER_KEY = 1L << 24;

    private final OutboundQueue out = new OutboundQueue();
    private final TrafficKeys keys = new TrafficKeys();
    private final HandshakeBuffer handshakeIn = new HandshakeBuffer();
    private final ServerHandshake handshake;
    private final Tls13Session session;
    /** What {@link #session()} answers until the handshake completes. */
    private final Tls13Session notYetEstablished;
    /** Opened records that do not go straight to the caller's buffer; allocated on first need. */
    private ByteBuffer scratch;
    private volatile boolean handshakeStarted;
    private volatile boolean inboundDone;
    private volatile boolean outboundDone;
    private boolean closeNotifyReceived;
    private boolean closeNotifyQueued;
    private boolean finishedDue;
    private boolean skippingEarlyData;
    private int skippedEarlyData;
    private volatile TlsFailure failure;
    /**
     * While the offloader is saturated, a ClientHello is not taken at all (EAGAIN, nothing consumed,
     * as {@code KeyOffloader.isSaturated} promises); this is the wait for its capacity.
     */
    private volatile PendingOperation admission;
    private final Supplier<KeyOffloader> offloader;
    private final Duration offloadTimeout;
    private final boolean acknowledgeCloseNotify;

    public Tls13ServerEngine(NativeSetup setup) {
        byte[] id = new byte[32];
        setup.context.random().nextBytes(id);
        String host = setup.application.getPeerHost();
        this.session = new Tls13Session(host, setup.application.getPeerPort(), id);
        this.notYetEstablished = Tls13Session.notEstablished(host, setup.application.getPeerPort());
        this.handshake = new ServerHandshake(setup, out, keys, session);
        this.offloader = setup.offloader;
        this.offloadTimeout = setup.offloadTimeout;
        this.acknowledgeCloseNotify = setup.context.acknowledgeCloseNotify();
    }

    // ------------------------------------------------------------------ status

    /** What the handshake waits for, or {@code null} when it does not wait. */
    PendingOperation pending() {
        PendingOperation p = handshake.pending();
        if (p != null) {
            return p;
        }
        PendingOperation a = admission;
        return a != null && !a.isDone() ? a : null;
    }

    /** {@code ERR} once a key operation failed, timed out or was refused; {@code OK} otherwise. */
    @Override
    public AsyncStatus asyncStatus() {
        return handshake.offloadFailed() ? AsyncStatus.ERR : AsyncStatus.OK;
    }

    @Override
    public HandshakeStatus handshakeStatus() {
        PendingOperation p = handshake.pending();
        if (p != null) {
            // once settled, the next wrap continues the handshake
            return p.isDone() ? HandshakeStatus.NEED_WRAP : HandshakeStatus.NEED_TASK;
        }
        if (!out.isEmpty()) {
            return HandshakeStatus.NEED_WRAP;
        }
        if (failure != null || outboundDone || handshake.isComplete()) {
            return HandshakeStatus.NOT_HANDSHAKING;
        }
        return HandshakeStatus.NEED_UNWRAP;
    }

    private SSLEngineResult result(Status status, int consumed, int produced) {
        HandshakeStatus hs = handshakeStatus();
        if (finishedDue && hs == HandshakeStatus.NOT_HANDSHAKING) {
            finishedDue = false;
            hs = HandshakeStatus.FINISHED;
        }
        return new SSLEngineResult(status, hs, consumed, produced);
    }

    // ------------------------------------------------------------------ unwrap

    @Override
    public Step unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        return step(doUnwrap(src, dsts, offset, length));
    }

    @Override
    public Step wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        return step(doWrap(srcs, offset, length, dst));
    }

    /**
     * The call's outcome for the front: a wait while the handshake waits for something not yet done.
     * A wait that is over already is never handed out; the handshake goes on here instead.
     */
    private Step step(SSLEngineResult r) throws SSLException {
        PendingOperation p = handshake.pending();
        boolean moved = false;
        try {
            while (p != null && p.isDone()) {
                handshake.resume();
                processHandshakeMessages();
                p = handshake.pending();
                moved = true;
            }
        } catch (TlsFailure f) {
            throw fail(f);
        }
        if (p != null) {
            return Step.waiting(p, r.bytesConsumed());
        }
        PendingOperation a = admission;
        if (a != null && !a.isDone()) {
            return Step.waiting(a, r.bytesConsumed());
        }
        return Step.done(moved ? result(r.getStatus(), r.bytesConsumed(), r.bytesProduced()) : r);
    }

    private SSLEngineResult doUnwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        if (inboundDone) {
            return result(Status.CLOSED, 0, 0);
        }
        try {
            if (!resumeIfSettled()) {
                return result(Status.OK, 0, 0);
            }
            if (!out.isEmpty() && !handshake.isComplete()) {
                return result(Status.OK, 0, 0);
            }
            if (!admitted(src)) {
                return result(Status.OK, 0, 0);
            }
            return readRecord(src, dsts, offset, length);
        } catch (TlsFailure f) {
            throw fail(f);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw fail(TlsFailure.handshake(Alert.INTERNAL_ERROR, "record processing failed: " + ServerHandshake.describe(e), e));
        }
    }

    /** Continues a handshake whose operation is settled; false while it still waits. */
    private boolean resumeIfSettled() throws TlsFailure {
        PendingOperation p = handshake.pending();
        if (p == null) {
            return true;
        }
        if (!p.isDone()) {
            return false;
        }
        handshake.resume();
        processHandshakeMessages();
        return handshake.pending() == null;
    }

    /**
     * Whether the record at {@code src} may be read now: not a ClientHello while the offloader is
     * saturated. Once its capacity is back the hello goes in, even if the offloader fills up again
     * meanwhile: the signature then waits in the handshake instead.
     */
    private boolean admitted(ByteBuffer src) {
        PendingOperation a = admission;
        if (a != null) {
            if (!a.isDone()) {
                return false;
            }
            admission = null;
            return true;
        }
        HandshakeState s = handshake.state();
        if ((s != HandshakeState.AWAIT_CLIENT_HELLO && s != HandshakeState.AWAIT_RETRY_HELLO)
                || !src.hasRemaining() || src.get(src.position()) != HANDSHAKE) {
            return true;
        }
        KeyOffloader o = offloader.get();
        if (o == null || !o.isSaturated()) {
            return true;
        }
        if (ClientHello.offersPsk(src)) {
            // it may resume, which needs no key operation: the handshake waits for capacity only if it does not
            return true;
        }
        PendingOperation capacity = PendingOperation.manual(AsyncStatus.EAGAIN, null);
        o.whenUnsaturated(capacity::settle);
        capacity.limit(offloadTimeout, "waiting for key offloader capacity", () -> { });
        if (capacity.isDone()) {
            return true;
        }
        admission = capacity;
        return false;
    }

    private SSLEngineResult readRecord(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
            throws TlsFailure, GeneralSecurityException {
        int start = src.position();
        if (src.remaining() < HEADER) {
            return result(Status.BUFFER_UNDERFLOW, 0, 0);
        }
        int type = src.get(start) & 0xff;
        int major = src.get(start + 1) & 0xff;
        int fragment = ((src.get(start + 3) & 0xff) << 8) | (src.get(start + 4) & 0xff);
        if (type < CHANGE_CIPHER_SPEC || type > APPLICATION_DATA) {
            throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "a record of unknown content type " + type);
        }
        if (major != 3) {
            // legacy_record_version is otherwise ignored (section 5.1), but this is no TLS record at all
            throw TlsFailure.record(Alert.DECODE_ERROR, "a record with version byte " + major + ": not TLS");
        }
        boolean protectedRecord = type == APPLICATION_DATA && keys.read != null;
        if (fragment > (protectedRecord ? MAX_CIPHERTEXT : MAX_PLAINTEXT)) {
            throw TlsFailure.record(Alert.RECORD_OVERFLOW, "a record of " + fragment + " bytes");
        }
        if (src.remaining() < HEADER + fragment) {
            return result(Status.BUFFER_UNDERFLOW, 0, 0);
        }
        handshakeStarted = true;
        int recordLength = HEADER + fragment;
        switch (type) {
            case CHANGE_CIPHER_SPEC:
                // Section 5: one byte 0x01, between the first ClientHello and the client's Finished, dropped
                if (fragment != 1 || src.get(start + HEADER) != 1 || handshake.state() == HandshakeState.AWAIT_CLIENT_HELLO
                        || handshake.isComplete()) {
                    throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "a ChangeCipherSpec record where none may be");
                }
                src.position(start + recordLength);
                return result(Status.OK, recordLength, 0);
            case ALERT:
                // a client that could not process the server's flight may still alert in plaintext
                if (handshake.isComplete()) {
                    throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "an unprotected alert after the handshake");
                }
                if (fragment != 2) {
                    throw TlsFailure.record(Alert.DECODE_ERROR, "an alert record of " + fragment + " bytes");
                }
                src.position(start + recordLength);
                return onAlert(src.get(start + HEADER + 1) & 0xff, recordLength);
            case HANDSHAKE:
                if (keys.read != null || handshake.state() != HandshakeState.AWAIT_CLIENT_HELLO
                        && handshake.state() != HandshakeState.AWAIT_RETRY_HELLO) {
                    throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "an unprotected handshake record after the keys changed");
                }
                if (fragment == 0) {
                    throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "an empty handshake record");
                }
                src.position(start + HEADER);
                handshakeIn.add(src, fragment);
                processHandshakeMessages();
                skippingEarlyData = handshake.earlyDataOffered();
                return result(Status.OK, recordLength, 0);
            case APPLICATION_DATA:
                if (keys.read == null) {
                    if (handshake.state() == HandshakeState.AWAIT_RETRY_HELLO && handshake.earlyDataOffered()) {
                        // section 4.2.10: after a HelloRetryRequest, early data is skipped unread
                        return skipEarlyData(src, start, recordLength);
                    }
                    throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "a protected record before the handshake keys");
                }
                return openRecord(src, start, recordLength, dsts, offset, length);
            default:
                throw new AssertionError(type);
        }
    }

    private SSLEngineResult skipEarlyData(ByteBuffer src, int start, int recordLength) throws TlsFailure {
        skippedEarlyData += recordLength;
        if (skippedEarlyData > MAX_SKIPPED_EARLY_DATA) {
            throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "more than " + MAX_SKIPPED_EARLY_DATA + " bytes of early data");
        }
        src.position(start + recordLength);
        return result(Status.OK, recordLength, 0);
    }

    private SSLEngineResult openRecord(ByteBuffer src, int start, int recordLength, ByteBuffer[] dsts, int offset, int length)
            throws TlsFailure, GeneralSecurityException {
        int plaintextBound = recordLength - HEADER - CipherSuite.TAG_LENGTH;
        if (plaintextBound < 1) {
            throw TlsFailure.record(Alert.DECODE_ERROR, "a protected record too short for its tag");
        }
        ByteBuffer target;
        if (handshake.isComplete()) {
            if (roomIn(dsts, offset, length) < plaintextBound) {
                return result(Status.BUFFER_OVERFLOW, 0, 0);
            }
            ByteBuffer first = firstWithRoom(dsts, offset, length);
            target = first.remaining() >= plaintextBound ? first : scratch(plaintextBound);
        } else {
            target = scratch(plaintextBound);
        }
        int targetStart = target.position();
        int opened;
        try {
            opened = keys.read.open(src, recordLength, target);
        } catch (AEADBadTagException e) {
            if (skippingEarlyData) {
                // section 4.2.10: records the handshake keys cannot open are refused early data
                return skipEarlyData(src, start, recordLength);
            }
            throw TlsFailure.record(Alert.BAD_RECORD_MAC, "a record does not authenticate");
        }
        skippingEarlyData = false;
        int end = targetStart + opened;
        int typeAt = end - 1;
        while (typeAt >= targetStart && target.get(typeAt) == 0) {
            typeAt--;
        }
        if (typeAt < targetStart) {
            // section 5.4: padding only, no content type
            throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "a protected record with no content type");
        }
        if (opened > MAX_INNER_PLAINTEXT) {
            throw TlsFailure.record(Alert.RECORD_OVERFLOW, "a protected record with " + opened + " bytes of plaintext");
        }
        int innerType = target.get(typeAt) & 0xff;
        int contentLength = typeAt - targetStart;
        target.position(targetStart);
        if (innerType == APPLICATION_DATA) {
            if (!handshake.isComplete()) {
                throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "application data before the handshake completed");
            }
            int produced = deliver(target, contentLength, dsts, offset, length);
            return result(Status.OK, recordLength, produced);
        }
        if (innerType == HANDSHAKE) {
            if (contentLength == 0) {
                throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, "an empty handshake record");
            }
            handshakeIn.add(target, contentLength);
            target.position(targetStart);
            processHandshakeMessages();
            return result(Status.OK, recordLength, 0);
        }
        if (innerType == ALERT) {
            if (contentLength != 2) {
                throw TlsFailure.record(Alert.DECODE_ERROR, "an alert of " + contentLength + " bytes");
            }
            int description = target.get(targetStart + 1) & 0xff;
            target.position(targetStart);
            return onAlert(description, recordLength);
        }
        throw TlsFailure.record(Alert.UNEXPECTED_MESSAGE, innerType == CHANGE_CIPHER_SPEC
                ? "a protected ChangeCipherSpec" : "a protected record of unknown content type " + innerType);
    }

    private static ByteBuffer firstWithRoom(ByteBuffer[] dsts, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return dsts[i];
            }
        }
        throw new IllegalStateException("no destination buffer has room");
    }

    private static long roomIn(ByteBuffer[] dsts, int offset, int length) {
        long room = 0;
        for (int i = offset; i < offset + length; i++) {
            room += dsts[i].remaining();
        }
        return room;
    }

    /** Moves {@code n} opened bytes at {@code from}'s position to the caller's buffers, unless they are there already. */
    private int deliver(ByteBuffer from, int n, ByteBuffer[] dsts, int offset, int length) {
        if (from != scratch) {
            from.position(from.position() + n);
            return n;
        }
        int left = n;
        int limit = from.limit();
        for (int i = offset; i < offset + length && left > 0; i++) {
            int k = Math.min(left, dsts[i].remaining());
            from.limit(from.position() + k);
            dsts[i].put(from);
            from.limit(limit);
            left -= k;
        }
        from.clear();
        return n;
    }

    /**
     * A buffer of at least {@code size} bytes for a record's plaintext that cannot be opened in the
     * caller's buffers: every handshake record, and application data when the first destination with
     * room is too small for it. Sized to the records met rather than to the largest possible one, and
     * dropped when the handshake completes, so an established connection whose caller reads into
     * buffers big enough holds none.
     */
    private ByteBuffer scratch(int size) {
        if (scratch == null || scratch.capacity() < size) {
            scratch = ByteBuffer.allocate(Math.min(Math.max(size, 512), MAX_CIPHERTEXT));
        }
        scratch.clear();
        return scratch;
    }

    /** The bytes of plaintext buffer this engine holds between calls (memory per connection). */
    int heldBufferBytes() {
        return scratch == null ? 0 : scratch.capacity();
    }

    private void processHandshakeMessages() throws TlsFailure {
        while (handshake.pending() == null) {
            int bodyLength = handshakeIn.nextBodyLength();
            if (bodyLength > MAX_HANDSHAKE_MESSAGE) {
                throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "a handshake message of " + bodyLength + " bytes");
            }
            if (!handshakeIn.hasMessage()) {
                return;
            }
            boolean wasComplete = handshake.isComplete();
            handshake.onMessage(handshakeIn.array(), handshakeIn.messageOffset(), 4 + bodyLength);
            handshakeIn.consume(4 + bodyLength);
            if (handshake.atKeyChange() && !handshakeIn.isEmpty()) {
                // section 5.1: a message before a key change must end its record
                throw TlsFailure.handshake(Alert.UNEXPECTED_MESSAGE, "handshake data follows "
                        + "a message that changes keys in the same record");
            }
            if (!wasComplete && handshake.isComplete()) {
                finishedDue = true;
                // the Finished ended its record (a key change), so nothing in the buffer is still needed
                scratch = null;
            }
        }
    }

    private SSLEngineResult onAlert(int description, int consumed) throws TlsFailure {
        if (description == Alert.CLOSE_NOTIFY.code) {
            closeNotifyReceived = true;
            inboundDone = true;
            if (!handshake.isComplete()) {
                throw TlsFailure.peerAlert("the client closed the connection during the handshake (close_notify)");
            }
            // section 6.1: TLS 1.3 allows a half close; the write side stays open unless configured otherwise
            if (acknowledgeCloseNotify) {
                closeOutbound();
            }
            return result(Status.CLOSED, consumed, 0);
        }
        if (description == Alert.USER_CANCELED.code) {
            if (!handshake.isComplete()) {
                throw TlsFailure.peerAlert("the client canceled the handshake (user_canceled)");
            }
            // section 6.1: a close_notify should follow; until then the connection stays up
            return result(Status.OK, consumed, 0);
        }
        // section 6: every other alert is an error alert, whatever level it claims
        throw TlsFailure.peerAlert("received fatal alert: " + Alert.describe(description));
    }

    // ------------------------------------------------------------------ wrap

    private SSLEngineResult doWrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        if (outboundDone) {
            return result(Status.CLOSED, 0, 0);
        }
        try {
            if (!resumeIfSettled()) {
                return result(Status.OK, 0, 0);
            }
            if (!out.isEmpty()) {
                // NewSessionTickets need not go out alone: the call's application data may follow them
                boolean dataMayFollow = out.onlyBeforeData();
                int n = out.write(dst, keys);
                if (n == 0) {
                    return result(Status.BUFFER_OVERFLOW, 0, 0);
                }
                if (out.isEmpty() && (closeNotifyQueued || failure != null)) {
                    outboundDone = true;
                    return result(Status.CLOSED, 0, n);
                }
                if (!dataMayFollow || !out.isEmpty()) {
                    return result(Status.OK, 0, n);
                }
                SSLEngineResult r = sealApplicationData(srcs, offset, length, dst);
                // r carries FINISHED if this call ends the handshake
                return new SSLEngineResult(Status.OK, r.getHandshakeStatus(), r.bytesConsumed(), r.bytesProduced() + n);
            }
            if (failure != null) {
                outboundDone = true;
                return result(Status.CLOSED, 0, 0);
            }
            if (!handshake.isComplete()) {
                return result(Status.OK, 0, 0);
            }
            return sealApplicationData(srcs, offset, length, dst);
        } catch (TlsFailure f) {
            throw fail(f);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw fail(TlsFailure.handshake(Alert.INTERNAL_ERROR, "record protection failed: " + ServerHandshake.describe(e), e));
        }
    }

    private SSLEngineResult sealApplicationData(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
            throws GeneralSecurityException {
        long available = roomIn(srcs, offset, length);
        if (available == 0) {
            return result(Status.OK, 0, 0);
        }
        RecordCipher cipher = keys.applicationWrite;
        int consumed = 0;
        int produced = 0;
        int next = offset;
        while (available > 0) {
            if (cipher.recordsUnderKey() >= RECORDS_PER_KEY) {
                // section 5.5: change keys well before the AEAD's limit; the KeyUpdate goes out next
                handshake.queueKeyUpdate(false);
                produced += out.write(dst, keys);
                if (!out.isEmpty()) {
                    break;
                }
            }
            int n = (int) Math.min(available, MAX_PLAINTEXT);
            if (dst.remaining() < RecordCipher.sealedLength(n, 0)) {
                break;
            }
            int startPosition = dst.position();
            cipher.begin(n, 0, dst);
            int left = n;
            while (left > 0) {
                ByteBuffer s = srcs[next];
                int k = Math.min(left, s.remaining());
                if (k > 0) {
                    cipher.update(s, k, dst);
                    left -= k;
                }
                if (!s.hasRemaining()) {
                    next++;
                }
            }
            cipher.finish(APPLICATION_DATA, 0, dst);
            produced += dst.position() - startPosition;
            consumed += n;
            available -= n;
        }
        if (produced == 0) {
            return result(Status.BUFFER_OVERFLOW, 0, 0);
        }
        return result(Status.OK, consumed, produced);
    }

    // ------------------------------------------------------------------ failure and close

    /**
     * Fails the connection: cancels what the handshake waited for, drops what was not yet sent, queues
     * the alert, and returns the exception for the caller.
     */
    private SSLException fail(TlsFailure f) {
        boolean handshaking = !handshake.isComplete();
        if (failure == null) {
            failure = f;
            handshake.fail(f.getMessage());
            inboundDone = true;
            out.clear();
            handshakeIn.clear();
            if (f.alert != null) {
                queueAlert(Alert.FATAL, f.alert);
            } else {
                outboundDone = true;
            }
            handshake.destroy();
        }
        return f.toSslException(handshaking);
    }

    private void queueAlert(int level, Alert alert) {
        out.add(out.currentEpoch(), ALERT, new byte[] {(byte) level, (byte) alert.code});
    }

    /**
     * Closes the sending side: a close_notify follows whatever is queued (section 6.1). During the
     * handshake the unsent flight is dropped and user_canceled goes first; a pending operation is
     * cancelled.
     */
    @Override
    public void closeOutbound() {
        if (outboundDone || closeNotifyQueued) {
            return;
        }
        closeNotifyQueued = true;
        cancelAdmission();
        if (failure != null) {
            return;
        }
        if (!handshake.isComplete()) {
            // nothing more is read either: the handshake is over
            handshake.fail("the engine was closed during the handshake");
            inboundDone = true;
            out.clear();
            queueAlert(Alert.WARNING, Alert.USER_CANCELED);
        }
        queueAlert(Alert.WARNING, Alert.CLOSE_NOTIFY);
    }

    /**
     * Closes the receiving side. Without the client's close_notify this is a possible truncation,
     * which fails the connection with {@code internal_error} as the JDK's engine does.
     */
    @Override
    public void closeInbound() throws SSLException {
        if (inboundDone) {
            return;
        }
        inboundDone = true;
        cancelAdmission();
        if (!closeNotifyReceived && failure == null) {
            throw fail(TlsFailure.record(Alert.INTERNAL_ERROR, "closing inbound before receiving the peer's close_notify"));
        }
    }

    private void cancelAdmission() {
        PendingOperation a = admission;
        if (a != null) {
            a.cancel("the engine was closed");
        }
    }

    @Override
    public boolean isInboundDone() {
        return inboundDone;
    }

    @Override
    public boolean isOutboundDone() {
        return outboundDone;
    }

    /**
     * Before the handshake: nothing to do, the server waits for the ClientHello. On an established
     * connection: a KeyUpdate that asks the client to update too (section 4.6.3), as the JDK's engine
     * does for TLS 1.3.
     */
    @Override
    public void beginHandshake() throws SSLException {
        if (failure != null || outboundDone) {
            throw new SSLException("the connection is closed");
        }
        if (handshake.isComplete()) {
            handshake.queueKeyUpdate(true);
        }
    }

    // ------------------------------------------------------------------ sessions

    /** The established session, or one reporting protocol {@code NONE} before the handshake completes. */
    @Override
    public SSLSession session() {
        return handshake.isComplete() ? session : notYetEstablished;
    }

    /** The session being negotiated, or {@code null} outside the handshake. */
    @Override
    public SSLSession handshakeSession() {
        return handshakeStarted && !handshake.isComplete() && failure == null && !inboundDone ? session : null;
    }

    /** The negotiated ALPN protocol ({@code ""} for none), or {@code null} before the handshake completes. */
    @Override
    public String applicationProtocol() {
        return handshake.isComplete() ? handshake.applicationProtocol() : null;
    }

    /** The ALPN protocol chosen so far during the handshake, or {@code null}. */
    @Override
    public String handshakeApplicationProtocol() {
        return handshake.isComplete() ? null : handshake.applicationProtocol();
    }

    /** The key exchange group's name ({@code x25519}, ...) once the handshake chose it, else {@code null}; not thread-safe. */
    String keyExchangeGroup() {
        KeyShareGroup g = handshake.group();
        return g != null ? g.jsseName : null;
    }

    /** New parameters and selector count until the ClientHello is processed (the JDK's engine reads them there too). */
    @Override
    public void configure(EngineSettings settings) {
        handshake.configure(settings.parameters(), settings.applicationProtocolSelector());
    }
}
