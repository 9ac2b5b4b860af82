package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.Matrix.Group;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client peer reported about one connection, parsed from its output or read from its API.
 * A null field means the peer does not show it; the tests then check only the server's side of it.
 * Filled by the peer adapter on the test thread.
 */
final class ClientView {

    /** The client considers the handshake complete. */
    boolean connected;
    String protocol;
    String suite;
    Group group;
    /** The server's signature as the client names its parts: "ECDSA", "RSA-PSS", "Ed25519" and "SHA256", ... */
    String signatureType;
    String signatureHash;
    /** Common name of the server certificate the client accepted. */
    String serverCommonName;
    /** The negotiated ALPN protocol, "" for none. */
    String alpn;
    /** The SNI host name the client sent, "" when it sent none. */
    String serverName;
    /** Lines that came back from the echo, without the {@code echo:} prefix; or the HTTP body. */
    final List<String> echoed = new ArrayList<>();
    /** The alert the client received from the server (its number), if it reports one. */
    Integer alert;
    /** KeyUpdate messages the client received from the server after the handshake. */
    Integer serverKeyUpdates;
    Boolean ticketReceived;
    Boolean resumed;
    /** The peer's raw output, for failure messages. */
    String transcript = "";

    @Override
    public String toString() {
        return "client saw connected=" + connected + " " + protocol + " " + suite + " group=" + group + " sig=" + signatureType
                + "/" + signatureHash + " cn=" + serverCommonName + " alpn=" + alpn + " sni=" + serverName + " echoed=" + echoed
                + " alert=" + alert + " keyUpdates=" + serverKeyUpdates + " ticket=" + ticketReceived + " resumed=" + resumed;
    }
}
