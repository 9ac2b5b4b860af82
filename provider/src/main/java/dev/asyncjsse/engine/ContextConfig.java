package dev.asyncjsse.engine;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.OffloadCallback;
import dev.asyncjsse.jca.ContextRandom;
import dev.asyncjsse.monitor.ContextMonitor;
import dev.asyncjsse.offload.GuardedKeyOffloader;
import dev.asyncjsse.offload.JobScheduler;
import dev.asyncjsse.offload.OffloadSettings;
import dev.asyncjsse.tickets.TicketKeyRing;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The offload settings of one AsyncJSSE {@code SSLContext}. Engines read them at the start of each
 * handshake step, so changes apply from the next step on.
 *
 * <p>Internal: not part of the public API. Thread-safe (volatile fields, replaced as a whole).
 */
public final class ContextConfig {

    private final ContextMonitor monitor;
    private final TicketKeyRing ticketKeys;
    private volatile KeyOffloader offloader;
    private volatile CallbackGate.Binding defaultCallback = CallbackGate.Binding.NONE;
    private volatile Duration offloadTimeout;
    private volatile JobScheduler scheduler;
    private volatile boolean nativeTls13 = OffloadSettings.nativeTls13();
    private final long waitBudgetNanos;
    /**
     * Whether this context's key steps (the ones that may use the offloader) have lately parked on an
     * operation. Then waiting the budget for the next one only holds the caller's thread: it would park
     * too. Learned from the steps themselves, so an offloader that completes at once keeps the budget.
     */
    private volatile boolean keyStepsPark;

    /**
     * @param protocol the protocol the context was asked for, which names it for operators
     * @param ticketLifetime the lifetime of the session tickets its servers issue, read when the
     *     ticket keys may be due for rotation
     */
    ContextConfig(String protocol, Supplier<Duration> ticketLifetime) {
        this.monitor = new ContextMonitor(protocol);
        // its own generators: ticket nonces never wait on the keys' random, and exist before init
        this.ticketKeys = new TicketKeyRing(ContextRandom.create(null, "tickets"), ticketLifetime);
        this.offloader = GuardedKeyOffloader.guard(OffloadSettings.offloaderFromProperties(), monitor);
        this.offloadTimeout = OffloadSettings.defaultTimeout();
        this.waitBudgetNanos = OffloadSettings.waitBudgetNanos();
    }

    public void setOffloader(KeyOffloader offloader) {
        this.offloader = GuardedKeyOffloader.guard(offloader, monitor);
    }

    /** What operators see of this context: counters, latencies, its MBean. */
    public ContextMonitor monitor() {
        return monitor;
    }

    /** The context's session ticket keys, which exist (and may be set) before {@code init}. */
    public TicketKeyRing ticketKeys() {
        return ticketKeys;
    }

    public KeyOffloader offloader() {
        return offloader;
    }

    public void setDefaultCallback(OffloadCallback callback, Object arg) {
        this.defaultCallback = new CallbackGate.Binding(callback, arg);
    }

    CallbackGate.Binding defaultCallback() {
        return defaultCallback;
    }

    public void setOffloadTimeout(Duration timeout) {
        this.offloadTimeout = timeout;
    }

    Duration offloadTimeout() {
        return offloadTimeout;
    }

    long waitBudgetNanos() {
        return waitBudgetNanos;
    }

    /** The wait budget for a step, in nanoseconds: none for a key step while key steps park. */
    long waitBudgetNanos(boolean keyStep) {
        return keyStep && keyStepsPark ? 0 : waitBudgetNanos;
    }

    void keyStepOutcome(boolean parked) {
        if (keyStepsPark != parked) {
            keyStepsPark = parked;
        }
    }

    /**
     * Whether servers of this context serve TLS 1.3 with the native engine (the default) or the
     * BCJSSE path; from {@value OffloadSettings#TLS13_PROPERTY} unless set here (tests run one suite
     * on both engines).
     */
    public void setNativeTls13(boolean on) {
        this.nativeTls13 = on;
    }

    boolean nativeTls13() {
        return nativeTls13;
    }

    /** Replaces the shared job scheduler for this context's engines; for tests of capacity limits. */
    public void setScheduler(JobScheduler scheduler) {
        this.scheduler = scheduler;
    }

    JobScheduler scheduler() {
        JobScheduler s = scheduler;
        return s != null ? s : JobScheduler.shared();
    }
}
