package dev.asyncjsse.engine;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Wraps the application's extended trust manager so that it is handed the application's
 * {@link dev.asyncjsse.AsyncSSLEngine} rather than Bouncy Castle's inner engine, and the
 * authentication type SunJSSE would pass ({@link KeyTypes#jsseAuthType}). Plain
 * {@code X509TrustManager}s get {@link PlainTrustManagerAdapter} instead, so that Bouncy Castle still
 * adds the checks it adds for them.
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
        delegate.checkClientTrusted(chain, KeyTypes.jsseAuthType(authType, chain), engines.outer(engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, KeyTypes.jsseAuthType(authType, chain), engines.outer(engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, KeyTypes.jsseAuthType(authType, chain), socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, KeyTypes.jsseAuthType(authType, chain), socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, KeyTypes.jsseAuthType(authType, chain));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, KeyTypes.jsseAuthType(authType, chain));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
