package dev.asyncjsse.engine;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Creates the BCJSSE path of a connection: an engine of the context's private Bouncy Castle
 * {@code SSLContext}, registered so that the key and trust manager adapters see the application's
 * engine, in the front's mode and with the front's settings.
 *
 * <p>Internal. Thread-safe.
 */
final class BcEngineFactory implements ProtocolEngineFactory {

    private final SSLContext bcContext;
    private final EngineRegistry registry;

    BcEngineFactory(SSLContext bcContext, EngineRegistry registry) {
        this.bcContext = bcContext;
        this.registry = registry;
    }

    @Override
    public ProtocolEngine create(EngineSetup setup) {
        SSLEngine inner = bcContext.createSSLEngine(setup.peerHost(), setup.peerPort());
        registry.register(inner, setup.engine());
        inner.setUseClientMode(setup.clientMode());
        BcProtocolEngine engine = new BcProtocolEngine(inner, setup);
        if (setup.settings().customized()) {
            engine.apply(setup.settings());
        }
        return engine;
    }
}
