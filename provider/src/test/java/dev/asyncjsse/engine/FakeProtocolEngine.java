package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncStatus;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLSession;

/**
 * A scripted protocol engine for testing the front alone: it takes every input byte it is given,
 * answers with the next scripted step (a wait or a handshake status), and records what the front did.
 */
final class FakeProtocolEngine implements ProtocolEngine {

    /** A wait the test ends by hand, with its future. */
    static final class FakeWait {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final StageWait wait;

        FakeWait(AsyncStatus status) {
            this.wait = StageWait.of(future, status, Duration.ofSeconds(10));
        }

        void end() {
            future.complete(null);
        }
    }

    /** Creates fake engines and remembers every setup it was given. */
    static final class Factory implements ProtocolEngineFactory {
        final List<EngineSetup> setups = new CopyOnWriteArrayList<>();
        final List<FakeProtocolEngine> engines = new CopyOnWriteArrayList<>();
        /** The script of the next engine created. */
        private volatile List<Object> nextScript = List.of();

        /** The next engine answers its unwraps with {@code steps}, in order. */
        void script(Object... steps) {
            nextScript = List.of(steps);
        }

        @Override
        public ProtocolEngine create(EngineSetup setup) {
            setups.add(setup);
            FakeProtocolEngine e = new FakeProtocolEngine(setup);
            e.script.addAll(nextScript);
            engines.add(e);
            return e;
        }

        FakeProtocolEngine only() {
            if (engines.size() != 1) {
                throw new AssertionError("expected one engine, got " + engines.size());
            }
            return engines.get(0);
        }
    }

    private static final byte[] CLOSE_NOTIFY = {21, 3, 3, 0, 2, 1, 0};

    final EngineSetup setup;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final AtomicInteger unwrapCalls = new AtomicInteger();
    final AtomicInteger wrapCalls = new AtomicInteger();
    /** What the next unwraps answer, in order: a FakeWait, an EngineWait or a HandshakeStatus; then {@link #status}. */
    final Deque<Object> script = new ArrayDeque<>();
    volatile HandshakeStatus status = HandshakeStatus.NEED_UNWRAP;
    volatile boolean outboundClosed;
    volatile boolean inboundClosed;

    FakeProtocolEngine(EngineSetup setup) {
        this.setup = setup;
    }

    @Override
    public void beginHandshake() {
        // nothing to prepare
    }

    @Override
    public Step wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) {
        wrapCalls.incrementAndGet();
        if (outboundClosed && dst.remaining() >= CLOSE_NOTIFY.length) {
            // a careless engine: a close_notify on every wrap after the close; the front asks once
            dst.put(CLOSE_NOTIFY);
            return Step.done(new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, CLOSE_NOTIFY.length));
        }
        return Step.done(new SSLEngineResult(outboundClosed ? Status.CLOSED : Status.OK, handshakeStatus(), 0, 0));
    }

    @Override
    public synchronized Step unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) {
        unwrapCalls.incrementAndGet();
        int n = src.remaining();
        byte[] bytes = new byte[n];
        src.get(bytes);
        received.write(bytes, 0, n);
        Object next = script.poll();
        if (next instanceof FakeWait) {
            return Step.waiting(((FakeWait) next).wait, n);
        }
        if (next instanceof EngineWait) {
            return Step.waiting((EngineWait) next, n);
        }
        HandshakeStatus hs = next instanceof HandshakeStatus ? (HandshakeStatus) next : status;
        return Step.done(new SSLEngineResult(Status.OK, hs, n, 0));
    }

    synchronized byte[] receivedBytes() {
        return received.toByteArray();
    }

    @Override
    public HandshakeStatus handshakeStatus() {
        return status;
    }

    @Override
    public void closeInbound() {
        inboundClosed = true;
    }

    @Override
    public void closeOutbound() {
        outboundClosed = true;
    }

    @Override
    public AsyncStatus asyncStatus() {
        return AsyncStatus.OK;
    }

    @Override
    public boolean isInboundDone() {
        return inboundClosed;
    }

    @Override
    public boolean isOutboundDone() {
        return outboundClosed;
    }

    @Override
    public SSLSession session() {
        return new NullSession(null, -1, 1 << 15, 1 << 14);
    }

    @Override
    public SSLSession handshakeSession() {
        return null;
    }

    @Override
    public String applicationProtocol() {
        return null;
    }

    @Override
    public String handshakeApplicationProtocol() {
        return null;
    }

    @Override
    public void configure(EngineSettings settings) {
        // settings are the front's business in these tests
    }
}
