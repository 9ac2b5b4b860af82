package dev.asyncjsse.engine;

import dev.asyncjsse.nio.ClientHello;
import java.util.Arrays;
import javax.net.ssl.SSLParameters;

/**
 * Which protocol engine serves a connection: the native TLS 1.3 server engine when the ClientHello
 * offers TLS 1.3 (supported_versions), TLSv1.3 and a TLS 1.3 suite are enabled, and the context prefers it
 * ({@code dev.asyncjsse.tls13=native}, the default); the BCJSSE path otherwise, and always for clients.
 *
 * <p>Internal. A pure function.
 */
final class EngineChoice {

    private EngineChoice() {}

    static ProtocolEngineFactory choose(ContextServices services, boolean clientMode, ClientHello hello,
                                        SSLParameters parameters) {
        ProtocolEngineFactory nativeTls13 = services.nativeTls13();
        if (clientMode || nativeTls13 == null || hello == null || !hello.isComplete()) {
            return services.bcjsse();
        }
        boolean offered = hello.supportedVersions().contains(ClientHello.TLS13);
        boolean enabled = Arrays.asList(parameters.getProtocols()).contains("TLSv1.3") && anyTls13Suite(parameters);
        return offered && enabled ? nativeTls13 : services.bcjsse();
    }

    /** Without a TLS 1.3 suite the server negotiates TLS 1.2 (as SunJSSE), which only the BCJSSE path speaks. */
    private static boolean anyTls13Suite(SSLParameters parameters) {
        for (String suite : parameters.getCipherSuites()) {
            if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")) {
                return true;
            }
        }
        return false;
    }
}
