package dev.asyncjsse.testkit;

import java.security.Principal;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;

/**
 * A server key manager that tells which of AsyncJSSE's server engines asked it for a certificate:
 * the BCJSSE path runs Bouncy Castle's TLS server protocol, whose classes are on the stack when the
 * alias is chosen; the native TLS 1.3 engine does not. Behaviour is observed, not a setting read, so
 * a selection that silently falls back to the other engine shows. Tests and benchmarks wrap the
 * server's key manager with it. Thread-safe.
 */
public final class ServerEngineProbe extends ForwardingKeyManager {

    /** The server engines AsyncJSSE can serve TLS 1.3 with (property {@code dev.asyncjsse.tls13}). */
    public enum Engine { BC, NATIVE }

    private final EnumSet<Engine> seen = EnumSet.noneOf(Engine.class);

    public ServerEngineProbe(KeyManager delegate) {
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
    public Set<Engine> seen() {
        synchronized (seen) {
            return EnumSet.copyOf(seen);
        }
    }
}
