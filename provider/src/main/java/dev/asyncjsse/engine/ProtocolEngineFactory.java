package dev.asyncjsse.engine;

import javax.net.ssl.SSLException;

/**
 * Creates the {@link ProtocolEngine} for one connection of a context. The front calls it once per
 * engine, with its lock held: a client when its handshake starts, a server once the ClientHello is
 * complete in the front's stash (the new engine then gets those bytes through {@code unwrap}).
 *
 * <p>Implementations are shared by all engines of a context and must be thread-safe.
 */
@FunctionalInterface
public interface ProtocolEngineFactory {

    /**
     * Creates an engine.
     *
     * @param setup everything the engine needs; the engine may keep it
     * @return the engine, ready for {@link ProtocolEngine#beginHandshake()}
     * @throws SSLException if no engine can be made for this connection (the handshake fails)
     */
    ProtocolEngine create(EngineSetup setup) throws SSLException;
}
