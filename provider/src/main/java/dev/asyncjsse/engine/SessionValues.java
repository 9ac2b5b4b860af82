package dev.asyncjsse.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionBindingEvent;
import javax.net.ssl.SSLSessionBindingListener;

/**
 * The application-layer values of a session ({@link SSLSession#putValue} and its siblings), with the
 * argument checks and the {@link SSLSessionBindingListener} notifications the {@code SSLSession}
 * contract asks for, so that every session the provider makes itself answers them alike.
 *
 * <p>Internal: for the provider's session classes. Thread-safe; listeners are notified on the thread
 * that binds or unbinds, after the map has changed.
 */
public final class SessionValues {

    private final SSLSession session;
    private final Map<String, Object> values = new ConcurrentHashMap<>();

    /** The values of {@code session}, which is the source of every binding event. */
    public SessionValues(SSLSession session) {
        this.session = session;
    }

    /** Binds {@code value} to {@code name}, unbinding the value it replaces. */
    public void put(String name, Object value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("name and value must not be null");
        }
        Object old = values.put(name, value);
        unbound(name, old);
        if (value instanceof SSLSessionBindingListener) {
            ((SSLSessionBindingListener) value).valueBound(new SSLSessionBindingEvent(session, name));
        }
    }

    /** The value bound to {@code name}, or null. */
    public Object get(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        return values.get(name);
    }

    /** Unbinds the value of {@code name}, if any. */
    public void remove(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        unbound(name, values.remove(name));
    }

    /** The names bound now, in no particular order. */
    public String[] names() {
        return values.keySet().toArray(new String[0]);
    }

    private void unbound(String name, Object old) {
        if (old instanceof SSLSessionBindingListener) {
            ((SSLSessionBindingListener) old).valueUnbound(new SSLSessionBindingEvent(session, name));
        }
    }
}
