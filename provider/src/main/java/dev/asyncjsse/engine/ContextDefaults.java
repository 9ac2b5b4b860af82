package dev.asyncjsse.engine;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * What every engine of a context starts from, read once from the context's Bouncy Castle
 * {@code SSLContext}: the default parameters of each mode, the supported suites and protocols, and
 * the buffer sizes of the session before a handshake.
 *
 * <p>Internal. Immutable: the parameters are copied on the way out.
 */
final class ContextDefaults {

    private final SSLParameters client;
    private final SSLParameters server;
    private final Set<String> supportedSuites;
    private final Set<String> supportedProtocols;
    private final int packetBufferSize;
    private final int applicationBufferSize;

    private ContextDefaults(SSLEngine probe) {
        probe.setUseClientMode(true);
        this.client = Parameters.copy(probe.getSSLParameters());
        probe.setUseClientMode(false);
        this.server = Parameters.copy(probe.getSSLParameters());
        this.supportedSuites = ordered(probe.getSupportedCipherSuites());
        this.supportedProtocols = ordered(probe.getSupportedProtocols());
        SSLSession none = probe.getSession();
        this.packetBufferSize = none.getPacketBufferSize();
        this.applicationBufferSize = none.getApplicationBufferSize();
    }

    /** Reads the defaults of an initialized Bouncy Castle context. */
    static ContextDefaults of(SSLContext bcContext) {
        return new ContextDefaults(bcContext.createSSLEngine());
    }

    private static Set<String> ordered(String[] names) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(names)));
    }

    /** A fresh copy of the default parameters of a client or a server. */
    SSLParameters parameters(boolean clientMode) {
        return Parameters.copy(clientMode ? client : server);
    }

    /** True if {@code suites} is exactly the default suite list of the given mode. */
    boolean isDefaultSuites(String[] suites, boolean clientMode) {
        return Arrays.equals(suites, (clientMode ? client : server).getCipherSuites());
    }

    /** True if {@code protocols} is exactly the default protocol list of the given mode. */
    boolean isDefaultProtocols(String[] protocols, boolean clientMode) {
        return Arrays.equals(protocols, (clientMode ? client : server).getProtocols());
    }

    Set<String> supportedSuites() {
        return supportedSuites;
    }

    Set<String> supportedProtocols() {
        return supportedProtocols;
    }

    int packetBufferSize() {
        return packetBufferSize;
    }

    int applicationBufferSize() {
        return applicationBufferSize;
    }
}
