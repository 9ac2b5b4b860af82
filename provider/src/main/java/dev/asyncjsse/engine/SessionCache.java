package dev.asyncjsse.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * The sessions the native TLS 1.3 engine established, as a server session context lists them: by id,
 * at most {@link #getSessionCacheSize} of them (the least recently used go first; 0 is no limit), each
 * for {@link #getSessionTimeout} seconds after its creation (0 is no limit). The server keeps no other
 * state per session: a ticket resumes without its session being here (tickets are stateless), and an
 * entry only answers {@code getIds}/{@code getSession}.
 *
 * <p>In an AsyncJSSE {@code SSLContext}, {@link ContextHandle} shows these next to Bouncy Castle's
 * sessions and forwards the size and timeout to both.
 *
 * <p>Internal. Thread-safe: one lock, held only for map operations.
 */
public final class SessionCache implements SSLSessionContext {

    /** As SunJSSE's and Bouncy Castle's server session contexts. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 86_400;
    public static final int DEFAULT_SIZE = 20_480;

    private final LongSupplier clock;
    private final Map<ByteBuffer, SSLSession> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private volatile int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    private volatile int size = DEFAULT_SIZE;

    /** A cache that reads the time from {@code System.currentTimeMillis}. */
    public SessionCache() {
        this(System::currentTimeMillis);
    }

    /** A cache reading the time, in milliseconds since the epoch, from {@code clock}. */
    public SessionCache(LongSupplier clock) {
        this.clock = clock;
    }

    /** Adds or replaces the session with {@code session.getId()}. */
    public void put(SSLSession session) {
        ByteBuffer key = ByteBuffer.wrap(session.getId());
        synchronized (sessions) {
            sessions.put(key, session);
            trimEldest();
        }
    }

    /** Forgets the session with {@code id}, if any. */
    public void remove(byte[] id) {
        synchronized (sessions) {
            sessions.remove(ByteBuffer.wrap(id.clone()));
        }
    }

    private boolean expired(SSLSession s, long now) {
        int t = timeoutSeconds;
        return t > 0 && now - s.getCreationTime() >= t * 1000L;
    }

    /**
     * The work a {@link #put} does, in amortized constant time however many sessions are kept (a scan
     * of all of them on every handshake cost a full server a fifth of its handshake CPU): the least
     * recently used beyond the size go, then the least recently used while they are expired. An
     * expired session behind one that is not stays until it is looked up, listed, or the oldest;
     * {@link #getSession} and {@link #ids} never return it. Called with the lock held.
     */
    private void trimEldest() {
        trim(false);
    }

    /** Drops every expired session and, beyond the size, the least recently used; called with the lock held. */
    private void trim() {
        trim(true);
    }

    /** @param everyExpired whether to look past the first live session for expired ones */
    private void trim(boolean everyExpired) {
        long now = clock.getAsLong();
        int limit = size;
        int excess = limit > 0 ? sessions.size() - limit : 0;
        for (Iterator<SSLSession> it = sessions.values().iterator(); it.hasNext(); ) {
            SSLSession s = it.next();
            if (excess > 0) {
                excess--;
            } else if (!expired(s, now)) {
                if (!everyExpired) {
                    return;
                }
                continue;
            }
            it.remove();
        }
    }

    @Override
    public SSLSession getSession(byte[] sessionId) {
        if (sessionId == null) {
            throw new NullPointerException("sessionId");
        }
        synchronized (sessions) {
            ByteBuffer key = ByteBuffer.wrap(sessionId.clone());
            SSLSession s = sessions.get(key);
            if (s != null && (expired(s, clock.getAsLong()) || !s.isValid())) {
                sessions.remove(key);
                return null;
            }
            return s;
        }
    }

    @Override
    public Enumeration<byte[]> getIds() {
        return Collections.enumeration(ids());
    }

    /** The ids of the sessions kept now, each a fresh array. */
    public List<byte[]> ids() {
        synchronized (sessions) {
            trim();
            List<byte[]> ids = new ArrayList<>(sessions.size());
            for (ByteBuffer k : sessions.keySet()) {
                ids.add(k.array().clone());
            }
            return ids;
        }
    }

    @Override
    public void setSessionTimeout(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("the session timeout must not be negative, was " + seconds);
        }
        timeoutSeconds = seconds;
        synchronized (sessions) {
            trim();
        }
    }

    @Override
    public int getSessionTimeout() {
        return timeoutSeconds;
    }

    @Override
    public void setSessionCacheSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("the session cache size must not be negative, was " + size);
        }
        this.size = size;
        synchronized (sessions) {
            trim();
        }
    }

    @Override
    public int getSessionCacheSize() {
        return size;
    }
}
