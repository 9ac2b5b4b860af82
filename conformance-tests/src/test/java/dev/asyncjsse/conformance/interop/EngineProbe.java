package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.testkit.ForwardingKeyManager;
import java.security.Principal;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;

/**
 * A server key manager that tells which TLS 1.3 server engine asked it for a certificate: the
 * BCJSSE path runs Bouncy Castle's TLS server protocol, whose classes are on the stack when the
 * alias is chosen; the native engine does not. Behaviour is observed, not a setting read, so a
 * selection that silently falls back to the other engine shows. Thread-safe.
 */
final class EngineProbe extends ForwardingKeyManager {

    /** The server engines AsyncJSSE can serve TLS 1.3 with ({@code dev.asyncjsse.tls13}). */
    enum Engine { BC, NATIVE }

    private final EnumSet<Engine> seen = EnumSet.noneOf(Engine.class);

    EngineProbe(KeyManager delegate) {
        super(delegate);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Engine e = Engine.NATIVE;
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            String c = frame.getClassName();
            if (c.startsWith("org.bouncycastle.tls.TlsServerProtocol") || c.startsWith("org.bouncycastle.jsse.provider.ProvTlsServer")) {
                e = Engine.BC;
                break;
            }
        }
        synchronized (seen) {
            seen.add(e);
        }
        return super.chooseEngineServerAlias(keyType, issuers, engine);
    }

    /** The engines that chose a certificate through this key manager so far. */
    Set<Engine> seen() {
        synchronized (seen) {
            return EnumSet.copyOf(seen);
        }
    }
}
