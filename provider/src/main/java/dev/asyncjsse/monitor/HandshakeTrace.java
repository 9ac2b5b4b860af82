package dev.asyncjsse.monitor;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;

/**
 * What the monitor knows about the handshake of one engine: its number in this JVM, its peer, when
 * it started, how long it was pending, whether it used the offloader. It turns the engine front's
 * reports into the context's counters, a {@code dev.asyncjsse.Handshake} JFR event and log lines on
 * the logger {@value #LOGGER} (DEBUG for start and finish, WARNING for a failure the offloader caused).
 *
 * <p>Internal: not part of the public API. One per engine, created with it. The front calls
 * {@link #started}, {@link #pending}, {@link #finished}, {@link #failed} and {@link #refused} with the
 * engine's lock held, so they never overlap; {@link #keyOperationSubmitted} may come from any thread.
 */
public final class HandshakeTrace {

    /** The logger of handshake start, finish and failure. */
    public static final String LOGGER = "dev.asyncjsse.handshake";

    private static final System.Logger LOG = System.getLogger(LOGGER);
    private static final AtomicLong ENGINE_IDS = new AtomicLong();

    private final ContextMonitor monitor;
    private final long engineId;
    private final String peerHost;
    private final int peerPort;
    private volatile boolean offloaded;
    private boolean clientMode;
    private long startNanos;
    private long startMillis;
    private long pendingNanos;
    private long pendingSince;
    private boolean done;
    private HandshakeEvent event;

    HandshakeTrace(ContextMonitor monitor, String peerHost, int peerPort) {
        this.monitor = monitor;
        this.engineId = ENGINE_IDS.incrementAndGet();
        this.peerHost = peerHost;
        this.peerPort = peerPort;
    }

    /** The engine's number in this JVM, as log lines and events show it. */
    public long engineId() {
        return engineId;
    }

    /** {@code host:port} the engine was created for, or {@code unknown}. */
    public String peer() {
        if (peerHost == null) {
            return "unknown";
        }
        return peerPort > 0 ? peerHost + ":" + peerPort : peerHost;
    }

    ContextMonitor monitor() {
        return monitor;
    }

    /** The handshake began. */
    public void started(boolean client) {
        clientMode = client;
        if (ContextMonitor.JFR_PRESENT) {
            HandshakeEvent e = new HandshakeEvent();
            if (e.isEnabled()) {
                e.begin();
                event = e;
            }
        }
        startNanos = System.nanoTime();
        startMillis = System.currentTimeMillis();
        monitor.handshakeStarted();
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "handshake started: engine {0}, peer {1}, {2}, context {3}",
                    String.valueOf(engineId), peer(), client ? "client" : "server", monitor.getName());
        }
    }

    /** The engine entered ({@code true}) or left ({@code false}) an offload-pending state. */
    public void pending(boolean nowPending) {
        if (nowPending) {
            pendingSince = System.nanoTime();
            monitor.handshakePending(true);
        } else if (pendingSince != 0) {
            pendingNanos += System.nanoTime() - pendingSince;
            pendingSince = 0;
            monitor.handshakePending(false);
        }
    }

    /** A key operation of this handshake was handed to the offloader. */
    void keyOperationSubmitted() {
        offloaded = true;
    }

    /** The handshake completed with {@code session}. */
    public void finished(SSLSession session) {
        if (!settle()) {
            return;
        }
        long total = System.nanoTime() - startNanos;
        String protocol = session != null ? session.getProtocol() : null;
        String suite = session != null ? session.getCipherSuite() : null;
        // A resumed session was created by an earlier handshake; BCJSSE and SunJSSE reuse its object,
        // the native engine's takes its creation time.
        boolean resumed = session != null && session.getCreationTime() < startMillis;
        monitor.handshakeCompleted(total, resumed);
        HandshakeEvent e = event;
        if (e != null) {
            fill(e, protocol, suite, resumed);
            e.commit();
            event = null;
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "handshake finished: engine {0}, peer {1}, {2} {3}{4}, {5} ms, {6} ms pending{7}",
                    String.valueOf(engineId), peer(), protocol, suite, resumed ? " (resumed)" : "", millis(total), millis(pendingNanos),
                    offloaded ? ", key offloaded" : "");
        }
    }

    /**
     * The handshake failed with {@code cause}.
     *
     * @param byOffload whether a key operation's failure or timeout caused it
     */
    public void failed(Throwable cause, boolean byOffload) {
        if (!settle()) {
            return;
        }
        long total = System.nanoTime() - startNanos;
        monitor.handshakeFailed(byOffload);
        String why = cause != null ? ContextMonitor.describe(cause) : "unknown";
        HandshakeEvent e = event;
        if (e != null) {
            fill(e, null, null, false);
            e.failure = why;
            e.offloadFailure = byOffload;
            e.commit();
            event = null;
        }
        Level level = byOffload ? Level.WARNING : Level.DEBUG;
        if (LOG.isLoggable(level)) {
            LOG.log(level, "handshake failed{0}: engine {1}, peer {2}, context {3}, after {4} ms: {5}",
                    byOffload ? " because of the key offloader" : "", String.valueOf(engineId), peer(), monitor.getName(), millis(total), why);
        }
    }

    /** Ends a pending period still open and tells whether this is the first outcome reported. */
    private boolean settle() {
        pending(false);
        if (done || startNanos == 0) {
            return false;
        }
        done = true;
        return true;
    }

    private void fill(HandshakeEvent e, String protocol, String suite, boolean resumed) {
        e.engineId = engineId;
        e.peer = peer();
        e.clientMode = clientMode;
        e.protocol = protocol;
        e.cipherSuite = suite;
        e.resumed = resumed;
        e.offloaded = offloaded;
        e.pendingTime = pendingNanos;
    }

    /**
     * The offloader or the job capacity was exhausted, so a step that may need a key was not started
     * ({@code AsyncStatus.EAGAIN}).
     */
    public void refused() {
        monitor.keyOperationRefused(this);
    }

    static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
