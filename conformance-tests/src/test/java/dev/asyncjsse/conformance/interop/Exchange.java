package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.Matrix.Group;
import dev.asyncjsse.conformance.interop.Matrix.Scheme;
import java.util.List;

/**
 * What a test asks a client peer to do on one connection: the TLS 1.3 parameters to restrict itself
 * to (null leaves the peer's defaults), the certificate to present, the ALPN protocols to offer, the
 * lines to send (each must come back echoed) and whether to update its keys half-way. Built by the
 * test thread with the fluent setters, then only read.
 */
final class Exchange {

    /** The client certificate the peer presents when asked. */
    enum ClientCert { NONE, TRUSTED, STRANGER }

    /** A KeyUpdate the client sends after the first line (RFC 8446 §4.6.3). */
    enum KeyUpdate {
        NONE,
        /** update_requested: the server must answer with its own KeyUpdate before its next data. */
        REQUESTED,
        /** update_not_requested: only the client's sending keys change. */
        NOT_REQUESTED
    }

    Group group;
    String suite;
    Scheme scheme;
    ClientCert cert = ClientCert.NONE;
    List<String> alpn;
    List<String> lines = List.of("hello from the peer");
    KeyUpdate keyUpdate = KeyUpdate.NONE;

    Exchange group(Group g) {
        this.group = g;
        return this;
    }

    Exchange suite(String s) {
        this.suite = s;
        return this;
    }

    Exchange scheme(Scheme s) {
        this.scheme = s;
        return this;
    }

    Exchange cert(ClientCert c) {
        this.cert = c;
        return this;
    }

    Exchange alpn(String... protocols) {
        this.alpn = List.of(protocols);
        return this;
    }

    Exchange lines(String... l) {
        this.lines = List.of(l);
        return this;
    }

    Exchange keyUpdate(KeyUpdate k) {
        this.keyUpdate = k;
        return this;
    }

    @Override
    public String toString() {
        return "group=" + group + " suite=" + suite + " scheme=" + scheme + " cert=" + cert + " alpn=" + alpn
                + " keyUpdate=" + keyUpdate;
    }
}
