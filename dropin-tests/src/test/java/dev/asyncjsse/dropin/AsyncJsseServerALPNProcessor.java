package dev.asyncjsse.dropin;

import dev.asyncjsse.AsyncSSLEngine;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.alpn.java.server.JDK9ServerALPNProcessor;

/**
 * Jetty's ALPN server processor for AsyncJSSE engines. Jetty's own {@link JDK9ServerALPNProcessor}
 * applies only to the JDK's engines ({@code sun.security.ssl.*}); its work (the JDK 9
 * {@code setHandshakeApplicationProtocolSelector} API) suits any engine that implements that API, as
 * AsyncJSSE's does. Registered through {@code META-INF/services/org.eclipse.jetty.io.ssl.ALPNProcessor$Server}.
 * A candidate for an optional {@code asyncjsse-jetty} artifact.
 */
public class AsyncJsseServerALPNProcessor extends JDK9ServerALPNProcessor {

    @Override
    public boolean appliesTo(SSLEngine sslEngine) {
        return sslEngine instanceof AsyncSSLEngine;
    }
}
