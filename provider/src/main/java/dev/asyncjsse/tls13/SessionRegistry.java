package dev.asyncjsse.tls13;

import dev.asyncjsse.engine.SessionCache;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSessionContext;

/**
 * What the native engines of one context know about sessions beyond a single connection: the
 * session context their sessions report and are listed in, how many tickets a handshake issues and
 * for how long, and which sessions were invalidated, so that their tickets stop resuming here.
 *
 * <p>Tickets are stateless: a ticket resumes on any server holding its key, and nothing is stored per
 * ticket. Invalidation is the one exception: the id of an invalidated session is remembered for as
 * long as a ticket issued for it could still be used (at most the ticket lifetime, 7 days), so a
 * server that is told to forget a session refuses its tickets. Other servers sharing the ticket keys
 * do not learn of it.
 *
 * <p>The ticket count comes from {@code dev.asyncjsse.tickets.count}, else the JDK's
 * {@code jdk.tls.server.newSessionTicketCount}, else 1; it is read once per context, 0 issues no
 * tickets, and values above {@value #MAX_TICKETS} are capped (as the JDK caps its own).
 *
 * <p>Internal. Thread-safe.
 */
final class SessionRegistry {

    static final String COUNT_PROPERTY = "dev.asyncjsse.tickets.count";
    static final String JDK_COUNT_PROPERTY = "jdk.tls.server.newSessionTicketCount";
    static final int MAX_TICKETS = 10;
    /** Section 4.6.1: servers MUST NOT use any value greater than 604800 seconds (7 days). */
    static final long MAX_LIFETIME_SECONDS = 604_800;

    private static final System.Logger LOG = System.getLogger(SessionRegistry.class.getName());

    private final SessionCache cache;
    private final SSLSessionContext reported;
    private final int ticketCount;
    private final Map<ByteBuffer, Long> invalidated = new ConcurrentHashMap<>();
    private volatile LongSupplier clock = System::currentTimeMillis;

    /**
     * @param cache where established sessions are listed
     * @param reported what their {@code getSessionContext()} answers: the application's view of
     *        {@code cache} (the {@code SSLContext}'s server session context)
     */
    SessionRegistry(SessionCache cache, SSLSessionContext reported) {
        this.cache = cache;
        this.reported = reported;
        this.ticketCount = configuredTicketCount();
    }

    private static int configuredTicketCount() {
        String name = COUNT_PROPERTY;
        String value = System.getProperty(name);
        if (value == null) {
            name = JDK_COUNT_PROPERTY;
            value = System.getProperty(name);
        }
        if (value == null) {
            return 1;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            return Math.min(n, MAX_TICKETS);
        } catch (NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, name + "=" + value + " is not a ticket count from 0 to " + MAX_TICKETS
                    + "; issuing 1 ticket per handshake");
            return 1;
        }
    }

    /** The time in milliseconds since the epoch. */
    long now() {
        return clock.getAsLong();
    }

    /** For tests: the clock that ticket ages and session timeouts are measured with. */
    void setClock(LongSupplier clock) {
        this.clock = clock;
    }

    int ticketCount() {
        return ticketCount;
    }

    /** The lifetime of new tickets: the session timeout, at most 7 days (0, no timeout, is 7 days). */
    long ticketLifetimeSeconds() {
        int timeout = cache.getSessionTimeout();
        return timeout == 0 ? MAX_LIFETIME_SECONDS : Math.min(timeout, MAX_LIFETIME_SECONDS);
    }

    /** The session timeout in seconds, 0 for none. */
    int sessionTimeoutSeconds() {
        return cache.getSessionTimeout();
    }

    SSLSessionContext sessionContext() {
        return reported;
    }

    /** Lists an established session in the session context. */
    void established(Tls13Session session) {
        cache.put(session);
    }

    /** Forgets the session with {@code id} and refuses its tickets from now on. */
    void invalidate(byte[] id) {
        long now = now();
        invalidated.values().removeIf(until -> until < now);
        invalidated.put(ByteBuffer.wrap(id.clone()), now + MAX_LIFETIME_SECONDS * 1000);
        cache.remove(id);
    }

    boolean isInvalidated(byte[] id) {
        Long until = invalidated.get(ByteBuffer.wrap(id));
        return until != null && until >= now();
    }
}
