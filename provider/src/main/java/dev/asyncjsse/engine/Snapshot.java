package dev.asyncjsse.engine;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * What the getters of an {@link AsyncEngine} answer while a step holds the inner engine's monitor on
 * another thread: the inner engine's state, read just before the step started.
 *
 * <p>Internal. Immutable once built.
 */
final class Snapshot {

    final SSLSession session;
    final SSLSession handshakeSession;
    final SSLParameters parameters;
    final boolean clientMode;
    final boolean sessionCreation;
    final boolean inboundDone;
    final boolean outboundDone;
    final String applicationProtocol;
    final String handshakeApplicationProtocol;

    private Snapshot(SSLEngine engine) {
        this.session = engine.getSession();
        this.handshakeSession = engine.getHandshakeSession();
        this.parameters = engine.getSSLParameters();
        this.clientMode = engine.getUseClientMode();
        this.sessionCreation = engine.getEnableSessionCreation();
        this.inboundDone = engine.isInboundDone();
        this.outboundDone = engine.isOutboundDone();
        this.applicationProtocol = engine.getApplicationProtocol();
        this.handshakeApplicationProtocol = engine.getHandshakeApplicationProtocol();
    }

    static Snapshot of(SSLEngine engine) {
        return new Snapshot(engine);
    }
}
