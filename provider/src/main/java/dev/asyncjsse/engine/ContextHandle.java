package dev.asyncjsse.engine;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * A session context of an AsyncJSSE {@code SSLContext}. It forwards to Bouncy Castle's and also
 * carries the context's {@link ContextConfig}, which is how {@link dev.asyncjsse.AsyncJsse} finds the
 * configuration of an {@code SSLContext} it is handed. The server's also lists the sessions of the
 * native TLS 1.3 engine ({@link #nativeSessions}); its size and timeout apply to both kinds.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class ContextHandle implements SSLSessionContext {

    private final SSLContext inner;
    private final ContextConfig config;
    private final boolean server;
    private final SessionCache nativeSessions = new SessionCache();

    ContextHandle(SSLContext inner, ContextConfig config, boolean server) {
        this.inner = inner;
        this.config = config;
        this.server = server;
    }

    public ContextConfig config() {
        return config;
    }

    /** The native engine's sessions (none in a client context). */
    public SessionCache nativeSessions() {
        return nativeSessions;
    }

    private SSLSessionContext delegate() {
        return server ? inner.getServerSessionContext() : inner.getClientSessionContext();
    }

    @Override
    public SSLSession getSession(byte[] sessionId) {
        SSLSession s = nativeSessions.getSession(sessionId);
        return s != null ? s : delegate().getSession(sessionId);
    }

    @Override
    public Enumeration<byte[]> getIds() {
        List<byte[]> ids = nativeSessions.ids();
        if (ids.isEmpty()) {
            return delegate().getIds();
        }
        ids.addAll(Collections.list(delegate().getIds()));
        return Collections.enumeration(ids);
    }

    @Override
    public void setSessionTimeout(int seconds) {
        delegate().setSessionTimeout(seconds);
        nativeSessions.setSessionTimeout(seconds);
    }

    @Override
    public int getSessionTimeout() {
        return delegate().getSessionTimeout();
    }

    @Override
    public void setSessionCacheSize(int size) {
        delegate().setSessionCacheSize(size);
        nativeSessions.setSessionCacheSize(size);
    }

    @Override
    public int getSessionCacheSize() {
        return delegate().getSessionCacheSize();
    }
}
