package dev.asyncjsse.jca;

import java.security.Provider;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The private JCA provider behind AsyncJSSE's routing signatures. It is never registered with the
 * JVM; Bouncy Castle's TLS code reaches it through {@link AsyncJcaJceHelper}, and again by
 * {@code Signature.getInstance(name, provider)} when it re-creates a signature from
 * {@code getProvider()}.
 *
 * <p>It serves every signature name that some implementation on this JDK serves, answering lookups
 * on demand rather than listing names up front.
 *
 * <p>Internal. Thread-safe.
 */
final class AsyncJcaProvider extends Provider {

    private static final long serialVersionUID = 1L;

    static final AsyncJcaProvider INSTANCE = new AsyncJcaProvider();

    private final transient ConcurrentMap<String, Service> signatures = new ConcurrentHashMap<>();

    private AsyncJcaProvider() {
        super("AsyncJSSE-JCA", "0.1", "AsyncJSSE routing signatures (private, never installed)");
    }

    @Override
    public Service getService(String type, String algorithm) {
        if (!"Signature".equalsIgnoreCase(type) || algorithm == null) {
            return null;
        }
        String key = algorithm.toUpperCase(Locale.ROOT);
        Service service = signatures.get(key);
        if (service == null && Primitives.signatureExists(algorithm)) {
            service = new RoutingSignatureService(this, algorithm);
            Service raced = signatures.putIfAbsent(key, service);
            if (raced != null) {
                service = raced;
            }
        }
        return service;
    }

    private static final class RoutingSignatureService extends Service {
        RoutingSignatureService(Provider provider, String algorithm) {
            super(provider, "Signature", algorithm, RoutingSignatureSpi.class.getName(), null, null);
        }

        @Override
        public Object newInstance(Object constructorParameter) {
            return new RoutingSignatureSpi(getAlgorithm());
        }

        @Override
        public boolean supportsParameter(Object parameter) {
            return true;
        }
    }
}
