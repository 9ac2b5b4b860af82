package dev.asyncjsse.monitor;

import java.lang.System.Logger.Level;
import java.security.PrivateKey;

/**
 * One private-key operation on its way through the offloader guard: when it was handed over, when a
 * thread of the offloader started it (if the offloader says), and how it ended. Its outcome goes to
 * the context's counters and latency window, a {@code dev.asyncjsse.KeyOperation} JFR event, and the
 * logger {@value #LOGGER}: WARNING when it failed or timed out, DEBUG when it was cancelled. Log
 * lines name the algorithm, key type, engine and peer; never key material or the message.
 *
 * <p>Internal: not part of the public API. Created on the thread that submits the operation;
 * {@link #running} and {@link #finished} may come from any thread, {@link #finished} exactly once.
 */
public final class KeyOperationTrace {

    /** The logger of key operations. */
    public static final String LOGGER = "dev.asyncjsse.offload";

    private static final System.Logger LOG = System.getLogger(LOGGER);

    private final ContextMonitor monitor;
    private final HandshakeTrace owner;
    private final String operation;
    private final String algorithm;
    /** Asked for its algorithm only when the outcome is reported, off the submitting thread (see the constructor). */
    private final PrivateKey key;
    private final long submittedNanos;
    private volatile long runningNanos;
    private final KeyOperationEvent event;

    KeyOperationTrace(ContextMonitor monitor, HandshakeTrace owner, String operation, String algorithm, PrivateKey key) {
        this.monitor = monitor;
        this.owner = owner;
        this.operation = operation;
        this.algorithm = algorithm;
        // not key.getAlgorithm() here: the submitting thread may be an event loop, and a PKCS#11 key's
        // accessors enter the token's provider; finished() runs where the operation completes
        this.key = key;
        this.event = newEvent();
        this.submittedNanos = System.nanoTime();
    }

    private static KeyOperationEvent newEvent() {
        if (!ContextMonitor.JFR_PRESENT) {
            return null;
        }
        KeyOperationEvent e = new KeyOperationEvent();
        if (!e.isEnabled()) {
            return null;
        }
        e.begin();
        return e;
    }

    /** A thread of the offloader started the operation: the time before this was queueing. */
    public void running() {
        runningNanos = System.nanoTime();
    }

    /**
     * The operation ended.
     *
     * @param outcome how
     * @param cause the failure, or {@code null}
     */
    public void finished(KeyOperationOutcome outcome, Throwable cause) {
        long total = System.nanoTime() - submittedNanos;
        long started = runningNanos;
        long queue = started == 0 ? 0 : Math.max(0, started - submittedNanos);
        monitor.keyOperationFinished(outcome, total);
        String why = cause != null ? ContextMonitor.describe(cause) : null;
        KeyOperationEvent e = event;
        if (e != null) {
            emit(e, owner, operation, algorithm, keyType(), queue, total - queue, outcome, why);
        }
        Level level = outcome == KeyOperationOutcome.FAILED || outcome == KeyOperationOutcome.TIMED_OUT ? Level.WARNING
                : outcome == KeyOperationOutcome.CANCELLED ? Level.DEBUG : null;
        if (level != null && LOG.isLoggable(level)) {
            log(level, outcome, "", owner, operation + " " + algorithm + " (" + keyType() + " key) after "
                    + HandshakeTrace.millis(total) + " ms", why);
        }
    }

    private String keyType() {
        if (key == null) {
            return "";
        }
        try {
            return key.getAlgorithm();
        } catch (RuntimeException e) {
            // a PKCS#11 key whose token went away says so here; the report must still go out
            return "unknown";
        }
    }

    /** Emits the event of an operation that was refused before it was handed over. */
    static void refused(HandshakeTrace owner) {
        KeyOperationEvent e = newEvent();
        if (e != null) {
            emit(e, owner, "", "", "", 0, 0, KeyOperationOutcome.EAGAIN, null);
        }
        if (LOG.isLoggable(Level.WARNING)) {
            log(Level.WARNING, KeyOperationOutcome.EAGAIN, " (offloader or job capacity exhausted)", owner,
                    "the handshake step waits until capacity frees up", null);
        }
    }

    private static void emit(KeyOperationEvent e, HandshakeTrace owner, String operation, String algorithm, String keyType,
                             long queue, long run, KeyOperationOutcome outcome, String why) {
        e.engineId = owner != null ? owner.engineId() : 0;
        e.peer = owner != null ? owner.peer() : null;
        e.operation = operation;
        e.algorithm = algorithm;
        e.keyType = keyType;
        e.queueTime = queue;
        e.runTime = run;
        e.outcome = outcome.label();
        e.failure = why;
        e.commit();
    }

    private static void log(Level level, KeyOperationOutcome outcome, String note, HandshakeTrace owner, String what, String why) {
        LOG.log(level, "key operation {0}{1}: engine {2}, peer {3}: {4}{5}", outcome.label(), note,
                owner != null ? String.valueOf(owner.engineId()) : "-", owner != null ? owner.peer() : "-", what,
                why != null ? ": " + why : "");
    }
}
