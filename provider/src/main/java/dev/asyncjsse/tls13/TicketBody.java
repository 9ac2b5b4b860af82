package dev.asyncjsse.tls13;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a session ticket carries, before the ticket keys seal it: everything the server needs to
 * resume the session without storing anything per ticket (RFC 8446, section 4.6.1 leaves the format
 * to the server). The encoding starts with a format version; a body of another version, or one that
 * does not parse, is an unusable ticket ({@link #decode} answers {@code null}) and the client gets a
 * full handshake.
 *
 * <pre>
 *   uint8  version = 1
 *   uint16 cipher_suite
 *   uint64 issued                 (when the ticket was issued, milliseconds since the epoch)
 *   uint64 session_created        (when its session was first established)
 *   uint32 lifetime               (seconds)
 *   uint32 ticket_age_add
 *   opaque psk&lt;32..255&gt;
 *   opaque session_id&lt;1..255&gt;
 *   opaque server_name&lt;0..2^16-1&gt;  (the requested host_name, ASCII; empty for none)
 *   opaque alpn&lt;0..255&gt;          (empty for none)
 *   opaque local_leaf&lt;0..255&gt;    (SHA-256 of the server's leaf certificate)
 *   opaque peer_chain&lt;0..2^24-1&gt;  (the client's certificates, each opaque&lt;1..2^24-1&gt;)
 * </pre>
 *
 * <p>Internal. Immutable, except that {@link #wipe} clears the PSK.
 */
final class TicketBody {

    static final int VERSION = 1;

    final CipherSuite suite;
    final long issued;
    final long sessionCreated;
    final long lifetimeSeconds;
    final int ageAdd;
    final byte[] psk;
    final byte[] sessionId;
    /** The host name the client asked for, or {@code ""}. */
    final String serverName;
    /** The negotiated ALPN protocol, or {@code ""}. */
    final String applicationProtocol;
    final byte[] localLeafHash;
    /** The client's chain for client-auth sessions, else {@code null}. */
    final X509Certificate[] peerChain;

    TicketBody(CipherSuite suite, long issued, long sessionCreated, long lifetimeSeconds, int ageAdd, byte[] psk, byte[] sessionId,
               String serverName, String applicationProtocol, byte[] localLeafHash, X509Certificate[] peerChain) {
        this.suite = suite;
        this.issued = issued;
        this.sessionCreated = sessionCreated;
        this.lifetimeSeconds = lifetimeSeconds;
        this.ageAdd = ageAdd;
        this.psk = psk;
        this.sessionId = sessionId;
        this.serverName = serverName;
        this.applicationProtocol = applicationProtocol;
        this.localLeafHash = localLeafHash;
        this.peerChain = peerChain;
    }

    byte[] encode() throws CertificateEncodingException {
        MessageWriter w = new MessageWriter(160 + (peerChain == null ? 0 : 1000 * peerChain.length));
        w.u8(VERSION).u16(suite.code);
        u64(w, issued);
        u64(w, sessionCreated);
        w.u16((int) (lifetimeSeconds >>> 16)).u16((int) lifetimeSeconds);
        w.u16(ageAdd >>> 16).u16(ageAdd);
        w.u8(psk.length).bytes(psk);
        w.u8(sessionId.length).bytes(sessionId);
        byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
        w.u16(name.length).bytes(name);
        byte[] alpn = applicationProtocol.getBytes(StandardCharsets.ISO_8859_1);
        w.u8(alpn.length).bytes(alpn);
        w.u8(localLeafHash.length).bytes(localLeafHash);
        int chain = w.open(3);
        if (peerChain != null) {
            for (X509Certificate c : peerChain) {
                byte[] der = c.getEncoded();
                w.u24(der.length).bytes(der);
            }
        }
        w.close(chain, 3);
        return w.toByteArray();
    }

    /** The body encoded in {@code encoded}, or {@code null} if it is not one this version can use. */
    static TicketBody decode(byte[] encoded) {
        try {
            Cursor c = new Cursor(encoded, 0, encoded.length, "ticket");
            if (c.u8() != VERSION) {
                return null;
            }
            CipherSuite suite = CipherSuite.forCode(c.u16());
            long issued = u64(c);
            long created = u64(c);
            long lifetime = ((long) c.u16() << 16) | c.u16();
            int ageAdd = (c.u16() << 16) | c.u16();
            byte[] psk = c.opaque(1, 32, 255, "psk");
            byte[] id = c.opaque(1, 1, 255, "session_id");
            String name = new String(c.opaque(2, 0, 0xffff, "server_name"), StandardCharsets.US_ASCII);
            String alpn = new String(c.opaque(1, 0, 255, "alpn"), StandardCharsets.ISO_8859_1);
            byte[] leaf = c.opaque(1, 0, 255, "local_leaf");
            Cursor chain = c.vector(3, 0, 0xffffff, "peer_chain");
            c.expectEnd();
            if (suite == null || psk.length != suite.hash.length) {
                return null;
            }
            List<X509Certificate> peer = new ArrayList<>(2);
            CertificateFactory factory = chain.hasRemaining() ? CertificateFactory.getInstance("X.509") : null;
            while (chain.hasRemaining()) {
                byte[] der = chain.opaque(3, 1, 0xffffff, "certificate");
                peer.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            return new TicketBody(suite, issued, created, lifetime, ageAdd, psk, id, name, alpn, leaf,
                    peer.isEmpty() ? null : peer.toArray(new X509Certificate[0]));
        } catch (TlsFailure | CertificateException | ClassCastException e) {
            return null;
        }
    }

    private static void u64(MessageWriter w, long v) {
        w.u16((int) (v >>> 48)).u16((int) (v >>> 32)).u16((int) (v >>> 16)).u16((int) v);
    }

    private static long u64(Cursor c) throws TlsFailure {
        return ((long) c.u16() << 48) | ((long) c.u16() << 32) | ((long) c.u16() << 16) | c.u16();
    }

    /** Clears the PSK. */
    void wipe() {
        Arrays.fill(psk, (byte) 0);
    }
}
