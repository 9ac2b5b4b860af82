package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.conformance.interop.Matrix.ServerKey;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.ServerEngineProbe;
import dev.asyncjsse.testkit.TestPki;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * What the interop server does for the connections of one test: its certificate, client
 * authentication, ALPN, and a fresh AsyncJSSE context with its own {@link CountingOffloader} and
 * {@link ServerEngineProbe}, so every key operation and engine choice seen belongs to this test.
 * Immutable after {@link #build()}; engines may be created from any thread.
 */
final class ServerSetup {

    /** Client authentication as the server asks for it. */
    enum ClientAuth { NONE, WANT, NEED }

    /** ALPN protocols of the server, most preferred first: an echo protocol and HTTP/1.1. */
    static final List<String> ALPN = List.of("x-interop", "http/1.1");

    private static final AsyncJsseProvider PROVIDER = new AsyncJsseProvider();

    final ServerKey key;
    final ClientAuth clientAuth;
    final CountingOffloader offloader = new CountingOffloader();
    final ServerEngineProbe probe;
    final SSLContext context;
    /** The only cipher suite the server enables, or null for its defaults. */
    final String suite;

    private ServerSetup(ServerKey key, ClientAuth clientAuth, String suite) throws GeneralSecurityException {
        this.key = key;
        this.clientAuth = clientAuth;
        this.suite = suite;
        InteropPki pki = InteropPki.get();
        KeyManager[] km = TestPki.keyManagers(pki.server(key));
        probe = new ServerEngineProbe(km[0]);
        context = SSLContext.getInstance("TLS", PROVIDER);
        context.init(new KeyManager[] {probe}, pki.ca.trustManagers(), null);
        AsyncJsse.setKeyOffloader(context, offloader);
    }

    /** A server with the certificate for {@code key} and no client authentication. */
    static ServerSetup of(ServerKey key) {
        return of(key, ClientAuth.NONE);
    }

    static ServerSetup of(ServerKey key, ClientAuth clientAuth) {
        return of(key, clientAuth, null);
    }

    /** A server with the EC P-256 certificate that enables {@code suite} only: for peers that cannot limit their suites. */
    static ServerSetup onlySuite(String suite) {
        return of(ServerKey.EC_P256, ClientAuth.NONE, suite);
    }

    private static ServerSetup of(ServerKey key, ClientAuth clientAuth, String suite) {
        try {
            return new ServerSetup(key, clientAuth, suite);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the server context for " + key, e);
        }
    }

    /** A server engine for one connection: server mode, TLS 1.3 and 1.2 as the context enables them. */
    SSLEngine newEngine() {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(false);
        SSLParameters p = e.getSSLParameters();
        if (suite != null) {
            p.setCipherSuites(new String[] {suite});
        }
        p.setApplicationProtocols(ALPN.toArray(new String[0]));
        if (clientAuth == ClientAuth.NEED) {
            p.setNeedClientAuth(true);
        } else if (clientAuth == ClientAuth.WANT) {
            p.setWantClientAuth(true);
        }
        e.setSSLParameters(p);
        return e;
    }

    /** Runs an in-memory handshake of a SunJSSE client with a new server engine of this setup, for probes. */
    void handshakeInMemory() throws GeneralSecurityException, SSLException {
        new EnginePair(sunJsseClient(), newEngine()).handshake();
    }

    /** A SunJSSE TLS 1.3 client engine that trusts the interop CA, for in-memory probes. */
    static SSLEngine sunJsseClient() throws GeneralSecurityException {
        SSLContext clientContext = SSLContext.getInstance("TLSv1.3", "SunJSSE");
        clientContext.init(null, InteropPki.get().ca.trustManagers(), null);
        SSLEngine client = clientContext.createSSLEngine(InteropPki.HOST, 443);
        client.setUseClientMode(true);
        return client;
    }

    @Override
    public String toString() {
        return "server " + key + ", client auth " + clientAuth + (suite == null ? "" : ", only " + suite);
    }
}
