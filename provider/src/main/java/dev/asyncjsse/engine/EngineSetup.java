package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.monitor.HandshakeTrace;
import dev.asyncjsse.nio.ClientHello;

/**
 * Everything a {@link ProtocolEngineFactory} needs to create the engine of one connection.
 *
 * <p>Immutable; the front builds it with its lock held and the engine may keep it.
 */
public final class EngineSetup {

    private final AsyncSSLEngine engine;
    private final boolean clientMode;
    private final EngineSettings settings;
    private final ContextServices services;
    private final ClientHello clientHello;
    private final HandshakeTrace trace;

    EngineSetup(AsyncSSLEngine engine, boolean clientMode, EngineSettings settings, ContextServices services,
                ClientHello clientHello, HandshakeTrace trace) {
        this.engine = engine;
        this.clientMode = clientMode;
        this.settings = settings;
        this.services = services;
        this.clientHello = clientHello;
        this.trace = trace;
    }

    /**
     * The monitor's record of this connection's handshake: give it to the offloader guard
     * ({@code GuardedKeyOffloader.sign(trace, ...)}) or to a {@code HandshakeJob}, so that key
     * operations are reported with the engine and peer they belong to.
     *
     * @return the trace
     */
    public HandshakeTrace trace() {
        return trace;
    }

    /**
     * The application's engine: key managers, trust managers and the ALPN selector are called with it,
     * never with an engine of the protocol engine's own.
     *
     * @return the engine
     */
    public AsyncSSLEngine engine() {
        return engine;
    }

    /** @return true for a client */
    public boolean clientMode() {
        return clientMode;
    }

    /** @return the settings at creation; later changes arrive through {@link ProtocolEngine#configure} */
    public EngineSettings settings() {
        return settings;
    }

    /** @return the context's managers, offloader, scheduler, random and shared data */
    public ContextServices services() {
        return services;
    }

    /** @return the peer's host as the application gave it, or {@code null} */
    public String peerHost() {
        return engine.getPeerHost();
    }

    /** @return the peer's port as the application gave it, or -1 */
    public int peerPort() {
        return engine.getPeerPort();
    }

    /**
     * The explored ClientHello for a server (its bytes follow through {@code unwrap}), or {@code null}
     * for a client.
     *
     * @return the ClientHello
     */
    public ClientHello clientHello() {
        return clientHello;
    }
}
