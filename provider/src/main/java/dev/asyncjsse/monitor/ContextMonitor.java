package dev.asyncjsse.monitor;

import java.security.PrivateKey;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything an operator can see of one AsyncJSSE {@code SSLContext}: handshake and key-operation
 * counters, latency windows, and the JMX MBean that shows them ({@link OffloadMXBean}).
 *
 * <p>This is the narrow internal API that the engines and the offloader guard call. The engine front
 * gets a {@link HandshakeTrace} per engine and reports its handshake through it; the guard gets a
 * {@link KeyOperationTrace} per operation. Counting is always on and costs a few atomic additions per
 * handshake; JFR events cost one check of an uninstrumented (or disabled) event when no recording
 * wants them.
 *
 * <p>Lifetime: the monitor references nothing of its context, so the MBean server can hold it
 * without keeping the context alive. {@link #export} registers the MBean and ties its unregistration
 * to the reachability of the context's configuration.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class ContextMonitor implements OffloadMXBean {

    /** Whether the runtime has JFR; a jlinked image may lack the module. */
    static final boolean JFR_PRESENT = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    private static final boolean JMX_PRESENT = ModuleLayer.boot().findModule("java.management").isPresent();
    private static final AtomicLong CONTEXT_NUMBERS = new AtomicLong();

    private final LongAdder handshakesStarted = new LongAdder();
    private final LongAdder handshakesCompleted = new LongAdder();
    private final LongAdder handshakesResumed = new LongAdder();
    private final LongAdder handshakesFailed = new LongAdder();
    private final LongAdder handshakesFailedByOffload = new LongAdder();
    private final AtomicInteger handshakesPending = new AtomicInteger();
    private final AtomicInteger keyOperationsInFlight = new AtomicInteger();
    private final LongAdder[] keyOperations = new LongAdder[KeyOperationOutcome.values().length];
    private final LatencyWindow keyOperationLatency = new LatencyWindow(System::nanoTime);
    private final LatencyWindow handshakeTime = new LatencyWindow(System::nanoTime);
    private volatile String name;
    private JmxExport.Registration registration;

    static {
        if (JFR_PRESENT) {
            // Loading an event class (JFR instruments it) takes tens of milliseconds: do it with the
            // first context, not inside the first handshake.
            new HandshakeEvent().isEnabled();
            new KeyOperationEvent().isEnabled();
        }
    }

    /**
     * @param protocol the context's protocol; the default name is the protocol and a number unique in
     *     this class loader, e.g. {@code TLS-3}
     */
    public ContextMonitor(String protocol) {
        this.name = protocol + "-" + CONTEXT_NUMBERS.incrementAndGet();
        for (int i = 0; i < keyOperations.length; i++) {
            keyOperations[i] = new LongAdder();
        }
    }

    // ---------------------------------------------------------------- the engines' API

    /** The trace of a new engine's handshake. */
    public HandshakeTrace newHandshakeTrace(String peerHost, int peerPort) {
        return new HandshakeTrace(this, peerHost, peerPort);
    }

    /**
     * A key operation is being handed to the offloader.
     *
     * @param owner the handshake it belongs to, or {@code null} (a blocking socket, or not in a job)
     * @param operation {@code sign} or {@code decrypt}
     * @param algorithm the JCA algorithm or transformation
     * @param key the application's key; only its algorithm name is read
     */
    public KeyOperationTrace keyOperationSubmitted(HandshakeTrace owner, String operation, String algorithm, PrivateKey key) {
        KeyOperationTrace trace = new KeyOperationTrace(this, owner, operation, algorithm, key);
        keyOperationsInFlight.incrementAndGet();
        if (owner != null) {
            owner.keyOperationSubmitted();
        }
        return trace;
    }

    void handshakeStarted() {
        handshakesStarted.increment();
    }

    void handshakePending(boolean nowPending) {
        if (nowPending) {
            handshakesPending.incrementAndGet();
        } else {
            handshakesPending.decrementAndGet();
        }
    }

    void handshakeCompleted(long nanos, boolean resumed) {
        handshakesCompleted.increment();
        if (resumed) {
            handshakesResumed.increment();
        }
        handshakeTime.record(nanos);
    }

    void handshakeFailed(boolean byOffload) {
        handshakesFailed.increment();
        if (byOffload) {
            handshakesFailedByOffload.increment();
        }
    }

    void keyOperationFinished(KeyOperationOutcome outcome, long nanos) {
        keyOperationsInFlight.decrementAndGet();
        keyOperations[outcome.ordinal()].increment();
        keyOperationLatency.record(nanos);
    }

    void keyOperationRefused(HandshakeTrace owner) {
        keyOperations[KeyOperationOutcome.EAGAIN.ordinal()].increment();
        KeyOperationTrace.refused(owner);
    }

    // ---------------------------------------------------------------- JMX lifetime

    /**
     * Registers the MBean, once, until {@code owner} becomes unreachable. Call it when the context is
     * initialized: registering costs the platform MBean server's start-up the first time.
     */
    public synchronized void export(Object owner) {
        if (JMX_PRESENT && registration == null) {
            registration = JmxExport.register(this, owner);
        }
    }

    /** Renames the context; a registered MBean moves to the new name. */
    public synchronized void setName(String newName) {
        if (newName == null || newName.isBlank()) {
            throw new IllegalArgumentException("the name must not be empty");
        }
        name = newName;
        if (registration != null) {
            registration.rename(this);
        }
    }

    /**
     * Words for a failure in a message, log line or event: its class and message, and its deepest
     * cause when that says something more (a PKCS#11 return code under a provider's generic
     * exception); never a stack.
     */
    public static String describe(Throwable failure) {
        String said = oneLine(failure);
        Throwable root = failure;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 16; depth++) {
            root = root.getCause();
        }
        String rootSaid = oneLine(root);
        return root == failure || said.contains(rootSaid) ? said : said + " (cause: " + rootSaid + ")";
    }

    private static String oneLine(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message != null ? ": " + message : "");
    }

    // ---------------------------------------------------------------- OffloadMXBean

    @Override
    public String getName() {
        return name;
    }

    @Override
    public long getHandshakesStarted() {
        return handshakesStarted.sum();
    }

    @Override
    public long getHandshakesCompleted() {
        return handshakesCompleted.sum();
    }

    @Override
    public long getHandshakesResumed() {
        return handshakesResumed.sum();
    }

    @Override
    public long getHandshakesFailed() {
        return handshakesFailed.sum();
    }

    @Override
    public long getHandshakesFailedByOffload() {
        return handshakesFailedByOffload.sum();
    }

    @Override
    public int getHandshakesPending() {
        return handshakesPending.get();
    }

    @Override
    public int getKeyOperationsInFlight() {
        return keyOperationsInFlight.get();
    }

    private long keyOperations(KeyOperationOutcome outcome) {
        return keyOperations[outcome.ordinal()].sum();
    }

    @Override
    public long getKeyOperationsOk() {
        return keyOperations(KeyOperationOutcome.OK);
    }

    @Override
    public long getKeyOperationsFailed() {
        return keyOperations(KeyOperationOutcome.FAILED);
    }

    @Override
    public long getKeyOperationsTimedOut() {
        return keyOperations(KeyOperationOutcome.TIMED_OUT);
    }

    @Override
    public long getKeyOperationsCancelled() {
        return keyOperations(KeyOperationOutcome.CANCELLED);
    }

    @Override
    public long getKeyOperationsEagain() {
        return keyOperations(KeyOperationOutcome.EAGAIN);
    }

    @Override
    public long getKeyOperationLatencySamples() {
        return keyOperationLatency.summary().count;
    }

    @Override
    public long getKeyOperationLatencyP50Micros() {
        return keyOperationLatency.summary().p50Micros;
    }

    @Override
    public long getKeyOperationLatencyP99Micros() {
        return keyOperationLatency.summary().p99Micros;
    }

    @Override
    public long getKeyOperationLatencyMaxMicros() {
        return keyOperationLatency.summary().maxMicros;
    }

    @Override
    public long getHandshakeTimeSamples() {
        return handshakeTime.summary().count;
    }

    @Override
    public long getHandshakeTimeP50Micros() {
        return handshakeTime.summary().p50Micros;
    }

    @Override
    public long getHandshakeTimeP99Micros() {
        return handshakeTime.summary().p99Micros;
    }

    @Override
    public long getHandshakeTimeMaxMicros() {
        return handshakeTime.summary().maxMicros;
    }
}
