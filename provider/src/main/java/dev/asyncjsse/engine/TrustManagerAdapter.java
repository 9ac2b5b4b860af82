package dev.asyncjsse.engine;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Wraps the application's extended trust manager so that it is handed the application's
 * {@link dev.asyncjsse.AsyncSSLEngine} rather than Bouncy Castle's inner engine. Plain
 * {@code X509TrustManager}s are given to Bouncy Castle unwrapped: it calls them without an engine.
 *
 * <p>Internal. As thread-safe as the wrapped trust manager.
 */
final class TrustManagerAdapter extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager delegate;
    private final EngineRegistry engines;

    TrustManagerAdapter(X509ExtendedTrustManager delegate, EngineRegistry engines) {
        this.delegate = delegate;
        this.engines = engines;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engines.outer(engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engines.outer(engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
