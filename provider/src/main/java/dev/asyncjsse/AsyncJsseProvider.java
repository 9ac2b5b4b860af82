package dev.asyncjsse;

import dev.asyncjsse.engine.AsyncSSLContextSpi;
import java.security.Provider;
import java.util.List;

/**
 * The AsyncJSSE security provider, named {@value #NAME}.
 *
 * <p>It offers {@code SSLContext} for {@code TLS}, {@code TLSv1.2}, {@code TLSv1.3} and
 * {@code Default}. Install it in one of three ways:
 * <ul>
 * <li>{@code SSLContext.getInstance("TLS", "AsyncJSSE")} after {@code Security.addProvider(new AsyncJsseProvider())},
 *     or {@code SSLContext.getInstance("TLS", new AsyncJsseProvider())} without installing it;
 * <li>{@code security.provider.1=AsyncJSSE} in a {@code java.security} file (found through
 *     {@code META-INF/services/java.security.Provider}), which makes it the default for
 *     {@code SSLContext.getDefault()}, {@code HttpsURLConnection} and {@code HttpClient};
 * <li>{@code jdk.security.provider.preferred=SSLContext.TLS:AsyncJSSE} to prefer it only for TLS.
 * </ul>
 *
 * <p>Constructing the provider is cheap; the TLS stack behind it is built on first use. Any number of
 * instances may exist and they share that stack.
 */
public final class AsyncJsseProvider extends Provider {

    private static final long serialVersionUID = 1L;

    /** The provider name. */
    public static final String NAME = "AsyncJSSE";

    /** Creates the provider. */
    public AsyncJsseProvider() {
        super(NAME, "0.1", "AsyncJSSE: JSSE with asynchronous private-key offload, on Bouncy Castle TLS");
        for (String protocol : List.of("TLS", "TLSv1.2", "TLSv1.3", "Default")) {
            putService(new ContextService(this, protocol));
        }
    }

    private static final class ContextService extends Service {
        ContextService(Provider provider, String protocol) {
            super(provider, "SSLContext", protocol, AsyncSSLContextSpi.class.getName(),
                    null, null);
        }

        @Override
        public Object newInstance(Object constructorParameter) {
            return AsyncSSLContextSpi.create(getAlgorithm());
        }
    }
}
