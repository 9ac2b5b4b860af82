package dev.asyncjsse.engine;

import java.util.Enumeration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * The server session context of an AsyncJSSE {@code SSLContext}. It forwards to Bouncy Castle's and
 * also carries the context's {@link ContextConfig}, which is how {@link dev.asyncjsse.AsyncJsse}
 * finds the configuration of an {@code SSLContext} it is handed.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class ContextHandle implements SSLSessionContext {

    private final SSLContext inner;
    private final ContextConfig config;
    private final boolean server;

    ContextHandle(SSLContext inner, ContextConfig config, boolean server) {
        this.inner = inner;
        this.config = config;
        this.server = server;
    }

    public ContextConfig config() {
        return config;
    }

    private SSLSessionContext delegate() {
        return server ? inner.getServerSessionContext() : inner.getClientSessionContext();
    }

    @Override
    public SSLSession getSession(byte[] sessionId) {
        return delegate().getSession(sessionId);
    }

    @Override
    public Enumeration<byte[]> getIds() {
        return delegate().getIds();
    }

    @Override
    public void setSessionTimeout(int seconds) {
        delegate().setSessionTimeout(seconds);
    }

    @Override
    public int getSessionTimeout() {
        return delegate().getSessionTimeout();
    }

    @Override
    public void setSessionCacheSize(int size) {
        delegate().setSessionCacheSize(size);
    }

    @Override
    public int getSessionCacheSize() {
        return delegate().getSessionCacheSize();
    }
}
