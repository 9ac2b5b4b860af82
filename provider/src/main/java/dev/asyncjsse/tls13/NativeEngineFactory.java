package dev.asyncjsse.tls13;

import dev.asyncjsse.engine.ContextServices;
import dev.asyncjsse.engine.EngineSettings;
import dev.asyncjsse.engine.EngineSetup;
import dev.asyncjsse.engine.ProtocolEngine;
import dev.asyncjsse.engine.ProtocolEngineFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * Creates the native TLS 1.3 server engine of a connection from what the engine front hands over:
 * the application's engine and settings, and the context's managers, offloader, scheduler and
 * randomness. The per-context data ({@link NativeContext}) is made once per context and shared.
 *
 * <p>Internal. Thread-safe and stateless: one instance serves every context.
 */
public final class NativeEngineFactory implements ProtocolEngineFactory {

    @Override
    public ProtocolEngine create(EngineSetup setup) throws SSLException {
        if (setup.clientMode()) {
            throw new SSLException("the native TLS 1.3 engine serves only the server side");
        }
        ContextServices services = setup.services();
        NativeContext context = services.shared(NativeContext.class,
                s -> new NativeContext(s.random(), firstKeyManager(s.keyManagers()), trustManager(s.trustManagers()),
                        s.ticketKeys(), s.serverSessions().nativeSessions(), s.serverSessions()));
        EngineSettings settings = setup.settings();
        NativeSetup native13 = NativeSetup.builder(setup.engine(), context)
                .parameters(settings.parameters())
                .protocolSelector(settings.applicationProtocolSelector())
                .keyManager(context.keyManager())
                .trustManager(context.trustManager())
                .offloader(services::offloader)
                .offloadTimeout(services.offloadTimeout())
                .scheduler(services.scheduler())
                .waitBudgetNanos(services.waitBudgetNanos(false))
                .trace(setup.trace())
                .build();
        return new Tls13ServerEngine(native13);
    }

    private static X509KeyManager firstKeyManager(KeyManager[] managers) {
        for (KeyManager m : managers) {
            if (m instanceof X509KeyManager) {
                return (X509KeyManager) m;
            }
        }
        return null;
    }

    /** The application's first X.509 trust manager; without one, the JDK's default (as {@code SSLContext.init} promises). */
    private static X509TrustManager trustManager(TrustManager[] managers) {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager) {
                return (X509TrustManager) m;
            }
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            for (TrustManager m : tmf.getTrustManagers()) {
                if (m instanceof X509TrustManager) {
                    return (X509TrustManager) m;
                }
            }
        } catch (GeneralSecurityException e) {
            // no default trust: client certificates are refused with certificate_unknown
        }
        return null;
    }
}
