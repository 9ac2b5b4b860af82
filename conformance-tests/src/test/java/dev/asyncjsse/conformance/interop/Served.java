package dev.asyncjsse.conformance.interop;

import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * What the interop server saw of one connection: the session facts right after the handshake, the
 * application data it received, and how the connection ended. Written by the server's loop thread
 * and handed to the test thread through a blocking queue once the connection is over; read-only
 * after that.
 */
final class Served {

    final ServerSetup setup;
    /** SNI host name from the ClientHello, or null. */
    String serverName;
    String protocol;
    String suite;
    /** The negotiated ALPN protocol, "" when none was. */
    String alpn;
    /** The client's chain, or null when the client was not authenticated. */
    Certificate[] peerCertificates;
    Certificate[] localCertificates;
    /** Echo lines received, in order, and the request line of an HTTP request. */
    final List<String> lines = new ArrayList<>();
    String httpRequest;
    /** What ended the connection abnormally (a handshake failure, a TLS error), or null. */
    Exception failure;
    boolean handshakeDone;

    Served(ServerSetup setup) {
        this.setup = setup;
    }

    @Override
    public String toString() {
        return "served " + protocol + " " + suite + " alpn=" + alpn + " sni=" + serverName + " peer="
                + (peerCertificates == null ? "none" : peerCertificates.length + " certs") + " lines=" + lines
                + (httpRequest == null ? "" : " http=" + httpRequest) + (failure == null ? "" : " failure=" + failure);
    }
}
