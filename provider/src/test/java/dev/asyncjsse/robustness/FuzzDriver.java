package dev.asyncjsse.robustness;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.testkit.PeerPorts;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * Runs one fuzz input: a live, in-memory handshake between a SunJSSE peer and a fresh AsyncJSSE target
 * engine, where the peer's flight number {@code stage} (ClientHello / server flight, client Finished,
 * application data, close_notify, counted per peer {@code wrap}) is replaced by a mutated one before
 * the target sees it. Every target call is checked: only {@link SSLException} may escape, a result never
 * consumes more than it was given, and the buffer positions agree with the result's counts.
 *
 * <p>Single use: one driver per input, on one thread.
 */
final class FuzzDriver {

    enum Role { SERVER, CLIENT }

    /**
     * The target's role and protocol, whether its context has an offloader (with latency), and whether
     * the server asks for a client certificate (then the client signs, in a job when it is the target).
     */
    static final class Scenario {
        final Role role;
        final String protocol;
        final boolean offload;
        final boolean clientAuth;

        Scenario(Role role, String protocol, boolean offload) {
            this(role, protocol, offload, false);
        }

        Scenario(Role role, String protocol, boolean offload, boolean clientAuth) {
            this.role = role;
            this.protocol = protocol;
            this.offload = offload;
            this.clientAuth = clientAuth;
        }

        String id() {
            return role + "," + protocol + "," + (offload ? "offload" : "inline") + (clientAuth ? ",auth" : "");
        }

        static Scenario parse(String id) {
            String[] p = id.split(",");
            return new Scenario(Role.valueOf(p[0]), p[1], p[2].equals("offload"), p.length > 3 && p[3].equals("auth"));
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** Replaces a peer flight before the target sees it. */
    interface Substitution {
        byte[] apply(int stage, byte[] flight);
    }

    /** A broken promise of the engine: what {@link EngineFuzzTest} reports as a finding. */
    static final class Violation extends RuntimeException {
        Violation(String message) {
            super(message);
        }
    }

    /** What happened to one input. */
    static final class Outcome {
        final List<byte[]> flights = new ArrayList<>();
        SSLException targetError;
        boolean targetHandshakeDone;
        boolean appDataReceived;
        int targetCalls;
        int pendingResults;
        int stageMutated = -1;
        boolean bufferedStart;
        /** The class of the target's session once its handshake finished: it tells which engine served. */
        String sessionClass;
    }

    private static final byte[] PING = "ping from the peer".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "pong from the target".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_TARGET_CALLS = 3000;

    private final Scenario scenario;
    private final SSLEngine target;
    private final AsyncSSLEngine asyncTarget;
    private final SSLEngine peer;
    private final Substitution substitution;
    private final Random random;
    private final int fragment;
    private final boolean callbackStyle;
    private final boolean closeWhilePending;
    private final boolean bufferedStart;
    private final Outcome outcome = new Outcome();

    private final Semaphore callbacks = new Semaphore(0);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String callbackAfterClose;

    private byte[] toTarget = new byte[0];
    private int inStart;
    private int inAvail;
    private ByteBuffer toPeer = ByteBuffer.allocate(1 << 16);
    private ByteBuffer targetApp = ByteBuffer.allocate(1 << 15);
    private final ByteBuffer peerApp = ByteBuffer.allocate(1 << 17);
    private int stage;
    private long delivered;
    private boolean peerDead;
    private boolean peerHandshakeDone;
    private int peerAppSent;
    private boolean peerClosed;
    private boolean targetDead;
    private boolean targetAppSent;

    /**
     * @param fragment how many bytes "arrive" per read, 0 for whole flights
     * @param random drives delivery choices (poll while pending, close while pending); may be null
     */
    FuzzDriver(Scenario scenario, SSLContext targetCtx, SSLContext peerCtx, Substitution substitution, Random random,
               int fragment) {
        this.scenario = scenario;
        this.substitution = substitution;
        this.random = random == null ? new Random(0) : random;
        this.fragment = fragment;
        this.callbackStyle = scenario.offload && this.random.nextBoolean();
        this.closeWhilePending = scenario.offload && random != null && this.random.nextInt(16) == 0;
        boolean targetIsServer = scenario.role == Role.SERVER;
        this.bufferedStart = targetIsServer && random != null && this.random.nextInt(4) == 0;
        target = targetCtx.createSSLEngine("localhost", PeerPorts.next());
        target.setUseClientMode(!targetIsServer);
        asyncTarget = (AsyncSSLEngine) target;
        if (callbackStyle) {
            asyncTarget.setOffloadCallback((engine, arg) -> {
                if (closed.get()) {
                    callbackAfterClose = "offload callback fired after the engine was closed";
                }
                callbacks.release();
            }, null);
        }
        peer = peerCtx.createSSLEngine("localhost", PeerPorts.next());
        peer.setUseClientMode(targetIsServer);
        if (scenario.clientAuth) {
            (targetIsServer ? target : peer).setNeedClientAuth(true);
        }
        peer.setEnabledProtocols(new String[] {scenario.protocol});
    }

    Outcome run() {
        try {
            peer.beginHandshake();
        } catch (SSLException e) {
            throw new IllegalStateException("the SunJSSE peer cannot start", e);
        }
        try {
            if (bufferedStart) {
                // AsyncSSLEngine.beginHandshake(ByteBuffer): start with bytes "already read" (a sniffed
                // ClientHello, maybe mutated, maybe partial)
                pumpPeer();
                beginBuffered();
            } else {
                target.beginHandshake();
            }
        } catch (SSLException e) {
            outcome.targetError = e;
            targetDead = true;
        }
        int idle = 0;
        for (int round = 0; round < 200 && !targetDead; round++) {
            boolean progress = false;
            if (!peerDead) {
                progress |= pumpPeer();
            }
            progress |= pumpTarget();
            if (targetDead || (target.isInboundDone() && target.isOutboundDone())) {
                break;
            }
            idle = progress ? 0 : idle + 1;
            if (idle >= 3) {
                break;
            }
        }
        closeTarget();
        if (callbackAfterClose != null) {
            throw new Violation(callbackAfterClose);
        }
        return outcome;
    }

    private void beginBuffered() throws SSLException {
        int available = toTarget.length - inStart;
        int n = random.nextBoolean() ? available : random.nextInt(available + 1);
        ByteBuffer buf = ByteBuffer.wrap(toTarget, inStart, n);
        byte[] before = toTarget.clone();
        int pos = buf.position();
        int limit = buf.limit();
        int used = asyncTarget.beginHandshake(buf);
        if (used < 0 || used > n || buf.position() != pos + used || buf.limit() != limit
                || !Arrays.equals(before, toTarget)) {
            throw new Violation("beginHandshake(buffered) returned " + used + " for " + n + " bytes, position "
                    + pos + " -> " + buf.position() + ", limit " + limit + " -> " + buf.limit());
        }
        outcome.bufferedStart = true;
        inStart += used;
        inAvail = Math.max(inAvail, pos + n);
    }

    // ------------------------------------------------------------------ the SunJSSE peer

    private boolean pumpPeer() {
        boolean progress = false;
        try {
            for (int i = 0; i < 50; i++) {
                HandshakeStatus hs = peer.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = peer.getDelegatedTask()) != null) {
                        task.run();
                    }
                    continue;
                }
                boolean handshaking = hs != HandshakeStatus.NOT_HANDSHAKING;
                if (hs == HandshakeStatus.NEED_WRAP) {
                    peerWrap(ByteBuffer.allocate(0));
                    progress = true;
                    continue;
                }
                if (!handshaking && peerHandshakeDone && !peer.isOutboundDone()) {
                    if (peerAppSent < 2) {
                        peerAppSent++;
                        peerWrap(ByteBuffer.wrap(PING));
                        progress = true;
                        continue;
                    }
                    if (!peerClosed && outcome.appDataReceived) {
                        peerClosed = true;
                        peer.closeOutbound();
                        peerWrap(ByteBuffer.allocate(0));
                        progress = true;
                        continue;
                    }
                }
                if (toPeer.position() > 0 && !peer.isInboundDone()) {
                    toPeer.flip();
                    SSLEngineResult r = peer.unwrap(toPeer, peerApp);
                    toPeer.compact();
                    peerApp.clear();
                    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                        peerHandshakeDone = true;
                    }
                    if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && r.getHandshakeStatus() != HandshakeStatus.FINISHED) {
                        break;
                    }
                    progress = true;
                    continue;
                }
                break;
            }
        } catch (SSLException | RuntimeException e) {
            // The peer rejects what the (possibly mutated) conversation became: expected, not a finding.
            peerDead = true;
            try {
                peerWrap(ByteBuffer.allocate(0));
            } catch (SSLException | RuntimeException ignored) {
                // nothing more to send
            }
        }
        return progress;
    }

    private void peerWrap(ByteBuffer app) throws SSLException {
        ByteBuffer out = ByteBuffer.allocate(peer.getSession().getPacketBufferSize() + 1024);
        SSLEngineResult r = peer.wrap(app, out);
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            peerHandshakeDone = true;
        }
        if (r.bytesProduced() > 0) {
            out.flip();
            byte[] flight = new byte[out.remaining()];
            out.get(flight);
            deliverToTarget(flight);
        }
    }

    private void deliverToTarget(byte[] flight) {
        outcome.flights.add(flight);
        byte[] replaced = substitution == null ? flight : substitution.apply(stage, flight);
        if (replaced != flight) {
            outcome.stageMutated = stage;
        }
        stage++;
        delivered += replaced.length;
        int pending = toTarget.length - inStart;
        byte[] next = Arrays.copyOf(Arrays.copyOfRange(toTarget, inStart, toTarget.length), pending + replaced.length);
        System.arraycopy(replaced, 0, next, pending, replaced.length);
        inAvail -= inStart;
        toTarget = next;
        inStart = 0;
        if (fragment == 0) {
            inAvail = toTarget.length;
        }
    }

    // ------------------------------------------------------------------ the AsyncJSSE target

    private boolean pumpTarget() {
        boolean progress = false;
        try {
            for (int i = 0; i < 200; i++) {
                // bounded work per input byte: byte-at-a-time delivery of 1-byte records legitimately takes
                // a few calls per byte
                long limit = MAX_TARGET_CALLS + 4L * delivered;
                if (++outcome.targetCalls > limit) {
                    throw new Violation("no end after " + limit + " calls for " + delivered
                            + " bytes: the engine keeps asking for work (" + target.getHandshakeStatus() + ")");
                }
                HandshakeStatus hs = target.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    waitForTask();
                    progress = true;
                    continue;
                }
                if (hs == HandshakeStatus.NEED_WRAP || (hs == HandshakeStatus.NOT_HANDSHAKING && outcome.targetHandshakeDone
                        && !targetAppSent && outcome.appDataReceived && !target.isOutboundDone())) {
                    ByteBuffer app = ByteBuffer.allocate(0);
                    if (hs == HandshakeStatus.NOT_HANDSHAKING) {
                        targetAppSent = true;
                        app = ByteBuffer.wrap(PONG);
                    }
                    SSLEngineResult r = targetWrap(app);
                    if (r.getStatus() == Status.CLOSED && r.bytesProduced() == 0) {
                        break;
                    }
                    progress = true;
                    continue;
                }
                if (inStart < toTarget.length && !target.isInboundDone()) {
                    if (inAvail <= inStart) {
                        inAvail = Math.min(toTarget.length, inStart + Math.max(fragment, 1));
                    }
                    ByteBuffer src = ByteBuffer.wrap(toTarget, inStart, inAvail - inStart);
                    SSLEngineResult r = targetUnwrap(src);
                    inStart = src.position();
                    if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                        if (targetApp.capacity() >= 1 << 20) {
                            throw new Violation("BUFFER_OVERFLOW with a " + targetApp.capacity() + "-byte application buffer");
                        }
                        targetApp = ByteBuffer.allocate(targetApp.capacity() * 2);
                        continue;
                    }
                    if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && !AsyncSSLEngine.isOffloadPending(r)
                            && r.getHandshakeStatus() != HandshakeStatus.FINISHED) {
                        if (inAvail < toTarget.length) {
                            inAvail = Math.min(toTarget.length, inAvail + Math.max(fragment, 1));
                            continue;
                        }
                        break;
                    }
                    progress = true;
                    continue;
                }
                break;
            }
        } catch (SSLException e) {
            outcome.targetError = e;
            targetDead = true;
            flushAfterFailure();
        }
        return progress;
    }

    private void waitForTask() throws SSLException {
        if (asyncTarget.isOffloadPending()) {
            // While parked, more calls must return the pending result and consume nothing.
            if (random.nextInt(3) == 0 && inStart < toTarget.length) {
                ByteBuffer src = ByteBuffer.wrap(toTarget, inStart, toTarget.length - inStart);
                SSLEngineResult r = targetUnwrap(src);
                inStart = src.position();
                if (AsyncSSLEngine.isOffloadPending(r) && r.bytesConsumed() != 0) {
                    throw new Violation("a repeated unwrap while pending consumed " + r.bytesConsumed() + " bytes");
                }
            }
            if (random.nextInt(3) == 0) {
                targetWrap(ByteBuffer.allocate(0));
            }
            if (closeWhilePending && random.nextBoolean()) {
                target.closeOutbound();
                closed.set(true); // after the close returned, as in closeTarget()
                try {
                    target.closeInbound();
                } catch (SSLException expected) {
                    // truncation: fine
                }
                targetDead = true;
                return;
            }
            if (callbackStyle) {
                // isOffloadPending() stays true until the next call after the callback: wait for one callback
                try {
                    if (!callbacks.tryAcquire(1, TimeUnit.SECONDS) && asyncTarget.isOffloadPending()) {
                        throw new Violation("offload still pending after 1 s and no callback (status "
                                + asyncTarget.getAsyncStatus() + ")");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Violation("interrupted while waiting for the offload callback");
                }
                outcome.pendingResults++;
                // drive on with a plain call, as a loop woken by the callback does
                if (target.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    targetWrap(ByteBuffer.allocate(0));
                }
                return;
            }
        }
        Runnable task;
        int n = 0;
        while ((task = target.getDelegatedTask()) != null) {
            task.run();
            if (++n >= 3) {
                // engine-bugs.md #1 (fixed): getDelegatedTask() handed out a new task forever
                throw new Violation("getDelegatedTask() keeps returning tasks: a drain-until-null loop never ends");
            }
        }
        if (target.getHandshakeStatus() == HandshakeStatus.NEED_TASK && !asyncTarget.isOffloadPending()) {
            // NEED_TASK with nothing pending: a wrap call settles the finished step
            targetWrap(ByteBuffer.allocate(0));
        } else if (n >= 3) {
            targetWrap(ByteBuffer.allocate(0));
        }
    }

    private SSLEngineResult targetUnwrap(ByteBuffer src) throws SSLException {
        int given = src.remaining();
        int pos = src.position();
        int room = targetApp.remaining();
        int dpos = targetApp.position();
        SSLEngineResult r = target.unwrap(src, targetApp);
        check("unwrap", r, given, src.position() - pos, room, targetApp.position() - dpos);
        if (r.bytesProduced() > 0) {
            outcome.appDataReceived = true;
        }
        targetApp.clear();
        noteFinished(r);
        return r;
    }

    private SSLEngineResult targetWrap(ByteBuffer app) throws SSLException {
        ByteBuffer out = ByteBuffer.allocate(target.getSession().getPacketBufferSize() + 256);
        int given = app.remaining();
        int pos = app.position();
        SSLEngineResult r = target.wrap(app, out);
        check("wrap", r, given, app.position() - pos, out.capacity(), out.position());
        noteFinished(r);
        out.flip();
        if (out.hasRemaining()) {
            if (toPeer.remaining() < out.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(toPeer.capacity() * 2 + out.remaining());
                toPeer.flip();
                bigger.put(toPeer);
                toPeer = bigger;
            }
            toPeer.put(out);
        }
        return r;
    }

    private void noteFinished(SSLEngineResult r) {
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            outcome.targetHandshakeDone = true;
            outcome.sessionClass = target.getSession().getClass().getName();
        }
        if (AsyncSSLEngine.isOffloadPending(r)) {
            outcome.pendingResults++;
        }
    }

    private static void check(String op, SSLEngineResult r, int given, int moved, int room, int produced) {
        if (r == null || r.getStatus() == null || r.getHandshakeStatus() == null) {
            throw new Violation(op + " returned an incomplete result: " + r);
        }
        if (r.bytesConsumed() < 0 || r.bytesConsumed() > given) {
            throw new Violation(op + " consumed " + r.bytesConsumed() + " of " + given + " bytes given: " + r);
        }
        if (r.bytesConsumed() != moved) {
            throw new Violation(op + " reported " + r.bytesConsumed() + " bytes consumed but advanced the source by "
                    + moved + ": " + r);
        }
        if (r.bytesProduced() < 0 || r.bytesProduced() > room || r.bytesProduced() != produced) {
            throw new Violation(op + " reported " + r.bytesProduced() + " bytes produced, wrote " + produced + ", room "
                    + room + ": " + r);
        }
    }

    private void flushAfterFailure() {
        for (int i = 0; i < 4; i++) {
            try {
                SSLEngineResult r = targetWrap(ByteBuffer.allocate(0));
                if (r.bytesProduced() == 0) {
                    return;
                }
            } catch (SSLException again) {
                return;
            }
        }
    }

    private void closeTarget() {
        target.closeOutbound();
        // only now: a callback already running when closeOutbound() was called may still read the flag
        // before closeOutbound() returns (it waits for that callback); none may start after it returned
        closed.set(true);
        for (int i = 0; i < 4; i++) {
            try {
                SSLEngineResult r = targetWrap(ByteBuffer.allocate(0));
                if (r.bytesProduced() == 0) {
                    break;
                }
            } catch (SSLException expected) {
                break;
            }
        }
        try {
            target.closeInbound();
        } catch (SSLException expected) {
            // no close_notify from the peer: a truncation alert, which is fine
        }
        if (!target.isOutboundDone()) {
            // closeOutbound() must lead to outbound done once the closing records are wrapped
            try {
                targetWrap(ByteBuffer.allocate(0));
            } catch (SSLException expected) {
                // fine
            }
        }
    }
}
