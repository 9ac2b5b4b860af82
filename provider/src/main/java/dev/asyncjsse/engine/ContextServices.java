package dev.asyncjsse.engine;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.jca.ContextRandom;
import dev.asyncjsse.offload.JobScheduler;
import dev.asyncjsse.tickets.TicketKeyRing;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * What the engines of one initialized AsyncJSSE {@code SSLContext} share: the application's key and
 * trust managers, the offload settings, the job scheduler, the random source, and data a protocol
 * engine computes once per context ({@link #shared}).
 *
 * <p>Internal: for {@link ProtocolEngine}s, not applications. Thread-safe. The managers are the
 * application's own; call them with the application's engine ({@link EngineSetup#engine()}).
 */
public final class ContextServices {

    private final ContextConfig config;
    private final KeyManager[] keyManagers;
    private final TrustManager[] trustManagers;
    private final ContextDefaults defaults;
    private final ProtocolEngineFactory bcjsse;
    private final ProtocolEngineFactory nativeTls13;
    private final ConcurrentMap<Class<?>, Object> shared = new ConcurrentHashMap<>();
    private final ContextRandom random;
    private final ContextHandle serverSessions;

    ContextServices(ContextConfig config, KeyManager[] keyManagers, TrustManager[] trustManagers, ContextRandom random,
                    ContextDefaults defaults, ProtocolEngineFactory bcjsse, ProtocolEngineFactory nativeTls13,
                    ContextHandle serverSessions) {
        this.config = config;
        this.keyManagers = keyManagers == null ? new KeyManager[0] : keyManagers.clone();
        this.trustManagers = trustManagers == null ? new TrustManager[0] : trustManagers.clone();
        this.random = random;
        this.defaults = defaults;
        this.bcjsse = bcjsse;
        this.nativeTls13 = nativeTls13;
        this.serverSessions = serverSessions;
    }

    /**
     * @return the context's server session context, as {@code SSLContext.getServerSessionContext()}
     *         answers it: what native sessions report as theirs, and where they are listed
     */
    public ContextHandle serverSessions() {
        return serverSessions;
    }

    /** @return the key managers given to {@code init} (a copy of the array) */
    public KeyManager[] keyManagers() {
        return keyManagers.clone();
    }

    /** @return the trust managers given to {@code init} (a copy of the array) */
    public TrustManager[] trustManagers() {
        return trustManagers.clone();
    }

    /**
     * The context's offloader, guarded so that its misbehaviour becomes a failed stage, or
     * {@code null} when private-key operations run synchronously. Read it per key operation: the
     * application may change it at any time.
     *
     * @return the offloader
     */
    public KeyOffloader offloader() {
        return config.offloader();
    }

    /** @return how long one offloaded operation may take */
    public Duration offloadTimeout() {
        return config.offloadTimeout();
    }

    /** @return the keys that seal and open the session tickets of the context's servers */
    public TicketKeyRing ticketKeys() {
        return config.ticketKeys();
    }

    /** @return the scheduler of handshake jobs */
    public JobScheduler scheduler() {
        return config.scheduler();
    }

    /**
     * How long a caller waits for a step that may block before it returns pending.
     *
     * @param keyStep whether the step may use the offloader
     * @return the wait budget in nanoseconds
     */
    public long waitBudgetNanos(boolean keyStep) {
        return config.waitBudgetNanos(keyStep);
    }

    /**
     * Tells the context whether a key step parked, so the next one waits its budget only when worth it.
     *
     * @param parked whether the step waited for an unfinished operation
     */
    public void keyStepOutcome(boolean parked) {
        config.keyStepOutcome(parked);
    }

    /**
     * @return the context's random source, seeded from the one given to {@code init} and shared by all
     *         its engines and threads without a JVM-wide lock (see {@link ContextRandom} for its threading)
     */
    public SecureRandom random() {
        return random;
    }

    /**
     * Per-context data of type {@code type}, created on first use by {@code create} and shared by all
     * engines of the context afterwards (parsed chains, checked constraints, ticket keys, ...).
     *
     * @param type the key, and the type of the value
     * @param create makes the value; may run more than once under contention, one result wins
     * @param <T> the type
     * @return the shared value
     */
    public <T> T shared(Class<T> type, Function<ContextServices, ? extends T> create) {
        Object value = shared.get(type);
        if (value == null) {
            value = create.apply(this);
            Object raced = shared.putIfAbsent(type, value);
            if (raced != null) {
                value = raced;
            }
        }
        return type.cast(value);
    }

    ContextConfig config() {
        return config;
    }

    ContextDefaults defaults() {
        return defaults;
    }

    ProtocolEngineFactory bcjsse() {
        return bcjsse;
    }

    /** The native TLS 1.3 server engine, or {@code null} when the context does not use it. */
    ProtocolEngineFactory nativeTls13() {
        return config.nativeTls13() ? nativeTls13 : null;
    }
}
