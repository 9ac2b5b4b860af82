package dev.asyncjsse.engine;

import dev.asyncjsse.jca.ContextRandom;
import dev.asyncjsse.jca.TlsStack;
import dev.asyncjsse.tls13.NativeEngineFactory;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The {@code SSLContext} implementation of AsyncJSSE. It owns a Bouncy Castle context built from the
 * private {@link TlsStack}, wraps the key and trust managers given to {@code init}
 * ({@link KeyManagerAdapter}, {@link TrustManagerAdapter}) for it, and creates every engine as an
 * {@link AsyncEngine}, the front, with the context's {@link ContextServices}. Sockets are Bouncy
 * Castle's, unchanged: they block anyway.
 *
 * <p>Internal: reached through {@code SSLContext}. Thread-safe as {@code SSLContext} requires.
 */
public final class AsyncSSLContextSpi extends SSLContextSpi {

    /** The native TLS 1.3 server engine; whether a context uses it is {@link ContextConfig#nativeTls13()}. */
    private static final ProtocolEngineFactory NATIVE_TLS13_SERVER = new NativeEngineFactory();

    private final SSLContext inner;
    private final boolean isDefault;
    private final ContextConfig config;
    private final EngineRegistry engines = new EngineRegistry();
    private final ContextHandle serverSessions;
    private final ContextHandle clientSessions;
    private volatile ContextServices services;

    private AsyncSSLContextSpi(String protocol) throws NoSuchAlgorithmException {
        this.isDefault = protocol.equals("Default");
        this.config = new ContextConfig(protocol, this::ticketLifetime);
        this.inner = SSLContext.getInstance(isDefault ? "TLS" : protocol, TlsStack.bcjsse());
        this.serverSessions = new ContextHandle(inner, config, true);
        this.clientSessions = new ContextHandle(inner, config, false);
    }

    /** Tickets live as long as server sessions (a timeout of 0, no limit, is capped by the ticket keys). */
    private Duration ticketLifetime() {
        return Duration.ofSeconds(serverSessions.getSessionTimeout());
    }

    /** Creates the context for {@code protocol}; the {@code Default} one is initialized at once. */
    public static AsyncSSLContextSpi create(String protocol) {
        try {
            AsyncSSLContextSpi spi = new AsyncSSLContextSpi(protocol);
            if (spi.isDefault) {
                spi.initialize(DefaultManagers.keyManagers(), DefaultManagers.trustManagers(), null);
            }
            return spi;
        } catch (NoSuchAlgorithmException | KeyManagementException e) {
            throw new IllegalStateException("AsyncJSSE cannot create an SSLContext for " + protocol + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
        if (isDefault) {
            throw new KeyManagementException("the Default SSLContext is initialized automatically");
        }
        initialize(km, tm, random);
    }

    private void initialize(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
        // first: a malformed ticket key file fails init and leaves the context as it was
        config.ticketKeys().initialize();
        // the context's own DRBGs, seeded from the application's random: no JVM-wide lock per handshake
        ContextRandom contextRandom = ContextRandom.create(random, "keys");
        inner.init(wrapKeyManagers(km), wrapTrustManagers(tm), contextRandom);
        services = new ContextServices(config, km, tm, contextRandom, ContextDefaults.of(inner),
                new BcEngineFactory(inner, engines), NATIVE_TLS13_SERVER, serverSessions);
        // The MBean lives as long as the configuration, which every engine of this context references.
        config.monitor().export(config);
    }

    private ContextServices services() {
        ContextServices s = services;
        if (s == null) {
            throw new IllegalStateException("SSLContext is not initialized: call init first");
        }
        return s;
    }

    private KeyManager[] wrapKeyManagers(KeyManager[] km) {
        if (km == null) {
            return null;
        }
        KeyManager[] wrapped = new KeyManager[km.length];
        for (int i = 0; i < km.length; i++) {
            KeyManager bcjsseOwn = BcKeyManagerAdapter.forBcjsseManager(km[i], config);
            if (bcjsseOwn != null) {
                wrapped[i] = bcjsseOwn;
            } else {
                wrapped[i] = km[i] instanceof X509KeyManager
                        ? new KeyManagerAdapter((X509KeyManager) km[i], engines, config)
                        : km[i];
            }
        }
        return wrapped;
    }

    private TrustManager[] wrapTrustManagers(TrustManager[] tm) {
        if (tm == null) {
            return null;
        }
        TrustManager[] wrapped = new TrustManager[tm.length];
        for (int i = 0; i < tm.length; i++) {
            if (tm[i] instanceof X509ExtendedTrustManager) {
                wrapped[i] = new TrustManagerAdapter((X509ExtendedTrustManager) tm[i], engines);
            } else {
                wrapped[i] = tm[i] instanceof X509TrustManager ? new PlainTrustManagerAdapter((X509TrustManager) tm[i]) : tm[i];
            }
        }
        return wrapped;
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
        return inner.getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
        return inner.getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
        return new AsyncEngine(services(), null, -1);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
        return new AsyncEngine(services(), host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
        return serverSessions;
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
        return clientSessions;
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
        return inner.getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
        return inner.getSupportedSSLParameters();
    }
}
