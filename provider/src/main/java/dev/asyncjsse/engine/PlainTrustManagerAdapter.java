package dev.asyncjsse.engine;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Wraps an application's plain (not extended) {@code X509TrustManager} so that it is handed the
 * authentication type SunJSSE would pass ({@link KeyTypes#jsseAuthType}). It stays a plain trust
 * manager on purpose: Bouncy Castle then adds the endpoint identification and algorithm checks that
 * such a trust manager cannot make itself, as SunJSSE does.
 *
 * <p>Internal. As thread-safe as the wrapped trust manager.
 */
final class PlainTrustManagerAdapter implements X509TrustManager {

    private final X509TrustManager delegate;

    PlainTrustManagerAdapter(X509TrustManager delegate) {
        this.delegate = delegate;
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
