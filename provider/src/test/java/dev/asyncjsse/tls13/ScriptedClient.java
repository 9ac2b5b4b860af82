package dev.asyncjsse.tls13;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A TLS 1.3 client written for tests of bad input: it builds ClientHellos field by field, follows
 * the server's flight far enough to know the keys (TLS_AES_128_GCM_SHA256 over X25519, without
 * checking the server's certificate), and then protects whatever records a test wants to send,
 * well-formed or not. Correct behaviour is checked against the JDK's and Bouncy Castle's clients;
 * this one exists to misbehave on purpose.
 */
final class ScriptedClient {

    static final int SUITE = 0x1301;

    final byte[] privateKey = new byte[32];
    final byte[] publicKey = new byte[32];
    private final KeySchedule schedule = new KeySchedule(NativeHandshakeTest.CONTEXT.crypto(), CipherSuite.Hash.SHA256);
    private MessageDigest transcript;
    private RecordCipher serverHandshake;
    private RecordCipher serverApplication;
    private RecordCipher clientHandshake;
    private RecordCipher clientApplication;
    private byte[] clientHandshakeSecret;
    private byte[] clientApplicationSecret;
    private byte[] resumptionMasterSecret;
    /** The handshake messages of the server's last flight, decrypted, in order. */
    final List<byte[]> serverMessages = new ArrayList<>();
    /** The PSK this client resumes with; {@code null} for a full handshake. Set before {@link #receiveFlight}. */
    byte[] psk;

    ScriptedClient() {
        new SecureRandom().nextBytes(privateKey);
        X25519.scalarMultBase(privateKey, 0, publicKey, 0);
    }

    /** A ClientHello under construction; each field and extension can be replaced. */
    static final class Hello {
        int legacyVersion = 0x0303;
        byte[] random = new byte[32];
        byte[] sessionId = new byte[32];
        byte[] suites = u16s(SUITE);
        byte[] compression = {0};
        final List<byte[]> extensions = new ArrayList<>();
        byte[] trailing = new byte[0];

        /** A hello offering TLS 1.3 with {@code client}'s X25519 share and the usual extensions. */
        static Hello standard(ScriptedClient client) {
            Hello h = new Hello();
            h.ext(43, bytes(new byte[] {2}, u16s(0x0304)));
            h.ext(10, vector16(u16s(0x001d, 0x0017)));
            h.ext(13, vector16(u16s(0x0403, 0x0804, 0x0807)));
            h.ext(51, vector16(keyShare(0x001d, client.publicKey)));
            return h;
        }

        Hello ext(int type, byte[] body) {
            extensions.add(bytes(u16s(type), u16s(body.length), body));
            return this;
        }

        /** Removes the extensions of {@code type}. */
        Hello without(int type) {
            extensions.removeIf(e -> ((e[0] & 0xff) << 8 | (e[1] & 0xff)) == type);
            return this;
        }

        Hello replace(int type, byte[] body) {
            int at = -1;
            for (int i = 0; i < extensions.size(); i++) {
                byte[] e = extensions.get(i);
                if (((e[0] & 0xff) << 8 | (e[1] & 0xff)) == type) {
                    at = i;
                }
            }
            byte[] entry = bytes(u16s(type), u16s(body.length), body);
            if (at < 0) {
                extensions.add(entry);
            } else {
                extensions.set(at, entry);
            }
            return this;
        }

        byte[] message() {
            byte[] exts = bytes(extensions.toArray(new byte[0][]));
            byte[] body = bytes(u16s(legacyVersion), random, new byte[] {(byte) sessionId.length}, sessionId,
                    u16s(suites.length), suites, new byte[] {(byte) compression.length}, compression,
                    u16s(exts.length), exts, trailing);
            return handshake(1, body);
        }
    }

    static byte[] keyShare(int group, byte[] share) {
        return bytes(u16s(group), u16s(share.length), share);
    }

    static byte[] handshake(int type, byte[] body) {
        return bytes(new byte[] {(byte) type, (byte) (body.length >>> 16), (byte) (body.length >>> 8), (byte) body.length}, body);
    }

    static byte[] plaintextRecord(int type, byte[] fragment) {
        return bytes(new byte[] {(byte) type, 3, 3, (byte) (fragment.length >>> 8), (byte) fragment.length}, fragment);
    }

    static byte[] vector16(byte[] content) {
        return bytes(u16s(content.length), content);
    }

    static byte[] u16s(int... values) {
        byte[] r = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            r[2 * i] = (byte) (values[i] >>> 8);
            r[2 * i + 1] = (byte) values[i];
        }
        return r;
    }

    static byte[] bytes(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] r = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }

    /** Sends {@code hello} to {@code server} and follows the flight it answers with. */
    void handshakeWith(TestFront server, Hello hello) throws Exception {
        server.unwrap(ByteBuffer.wrap(send(hello)), ByteBuffer.allocate(1 << 15));
        ByteBuffer flight = ByteBuffer.allocate(1 << 15);
        server.wrap(ByteBuffer.allocate(0), flight);
        flight.flip();
        receiveFlight(flight);
    }

    /** Records the hello in the transcript (as the one that counts) and returns it as a record. */
    byte[] send(Hello hello) throws Exception {
        byte[] message = hello.message();
        transcript = MessageDigest.getInstance("SHA-256");
        transcript.update(message);
        return plaintextRecord(22, message);
    }

    /**
     * Follows the server's flight in {@code wire} (ServerHello, optional ChangeCipherSpec, the
     * protected messages up to Finished) and derives both sides' keys.
     */
    void receiveFlight(ByteBuffer wire) throws Exception {
        int type = wire.get();
        wire.position(wire.position() + 2);
        int length = wire.getShort() & 0xffff;
        if (type != 22) {
            throw new IllegalStateException("expected a ServerHello record, got type " + type);
        }
        byte[] serverHello = new byte[length];
        wire.get(serverHello);
        transcript.update(serverHello);
        byte[] serverShare = Arrays.copyOfRange(serverHello, serverHello.length - 32, serverHello.length); // key_share comes last
        byte[] shared = new byte[32];
        X25519.calculateAgreement(privateKey, 0, serverShare, 0, shared, 0);
        schedule.startEarly(psk);
        schedule.startHandshake(shared);
        byte[] hash = hash();
        clientHandshakeSecret = schedule.deriveSecret("c hs traffic", hash);
        byte[] serverSecret = schedule.deriveSecret("s hs traffic", hash);
        clientHandshake = RecordCipher.sealing(CipherSuite.TLS_AES_128_GCM_SHA256, schedule.trafficKey(clientHandshakeSecret, 16),
                schedule.trafficIv(clientHandshakeSecret));
        serverHandshake = RecordCipher.opening(CipherSuite.TLS_AES_128_GCM_SHA256, schedule.trafficKey(serverSecret, 16),
                schedule.trafficIv(serverSecret));
        ByteBuffer messages = ByteBuffer.allocate(1 << 16);
        boolean finished = false;
        while (!finished && wire.hasRemaining()) {
            int recordType = wire.get(wire.position());
            int recordLength = 5 + (((wire.get(wire.position() + 3) & 0xff) << 8) | (wire.get(wire.position() + 4) & 0xff));
            if (recordType == 20) {
                wire.position(wire.position() + recordLength);
                continue;
            }
            int start = messages.position();
            int n = serverHandshake.open(wire, recordLength, messages);
            messages.position(start + n - 1); // drop the content type
            ByteBuffer view = messages.duplicate();
            view.flip();
            view.position(0);
            while (view.remaining() >= 4) {
                int msgType = view.get(view.position()) & 0xff;
                int msgLength = ((view.get(view.position() + 1) & 0xff) << 16) | ((view.get(view.position() + 2) & 0xff) << 8)
                        | (view.get(view.position() + 3) & 0xff);
                if (view.remaining() < 4 + msgLength) {
                    break;
                }
                byte[] msg = new byte[4 + msgLength];
                view.get(msg);
                transcript.update(msg);
                serverMessages.add(msg);
                if (msgType == 20) {
                    finished = true;
                }
            }
            ByteBuffer rest = ByteBuffer.allocate(1 << 16);
            rest.put(view);
            messages = rest;
        }
        schedule.startMaster();
        hash = hash();
        clientApplicationSecret = schedule.deriveSecret("c ap traffic", hash);
        byte[] serverApp = schedule.deriveSecret("s ap traffic", hash);
        clientApplication = RecordCipher.sealing(CipherSuite.TLS_AES_128_GCM_SHA256, schedule.trafficKey(clientApplicationSecret, 16),
                schedule.trafficIv(clientApplicationSecret));
        serverApplication = RecordCipher.opening(CipherSuite.TLS_AES_128_GCM_SHA256, schedule.trafficKey(serverApp, 16),
                schedule.trafficIv(serverApp));
    }

    private byte[] hash() throws CloneNotSupportedException {
        return ((MessageDigest) transcript.clone()).digest();
    }

    /** The client's application traffic secret, once the flight was received. */
    byte[] clientApplicationSecret() {
        return clientApplicationSecret.clone();
    }

    /** The client's handshake traffic secret, once the flight was received. */
    byte[] clientHandshakeSecret() {
        return clientHandshakeSecret.clone();
    }

    /** The client's Finished message over the transcript so far. */
    byte[] finishedMessage() throws Exception {
        return handshake(20, schedule.finishedVerifyData(clientHandshakeSecret, hash()));
    }

    /**
     * The client's Finished as a record under its handshake keys; the transcript takes it, so the
     * resumption master secret is known afterwards.
     */
    byte[] finishedRecord() throws Exception {
        byte[] finished = finishedMessage();
        transcript.update(finished);
        resumptionMasterSecret = schedule.deriveSecret("res master", hash());
        return handshakeRecord(22, finished, 0);
    }

    /** A NewSessionTicket (RFC 8446, section 4.6.1) as the client keeps it. */
    static final class Ticket {
        long lifetime;
        long ageAdd;
        byte[] nonce;
        byte[] identity;
        byte[] psk;
    }

    /** Reads one NewSessionTicket record the server sent under its application keys. */
    Ticket readTicket(ByteBuffer wire) throws Exception {
        byte[] record = openFromServer(wire, true);
        if (record[0] != 22 || record[1] != 4) {
            throw new IllegalStateException("expected a NewSessionTicket, got content type " + record[0] + ", message " + record[1]);
        }
        ByteBuffer m = ByteBuffer.wrap(record, 5, record.length - 5);
        Ticket t = new Ticket();
        t.lifetime = m.getInt() & 0xffffffffL;
        t.ageAdd = m.getInt() & 0xffffffffL;
        t.nonce = new byte[m.get() & 0xff];
        m.get(t.nonce);
        t.identity = new byte[m.getShort() & 0xffff];
        m.get(t.identity);
        t.psk = schedule.expandLabel(resumptionMasterSecret, "resumption", t.nonce, 32);
        return t;
    }

    /** The body of a pre_shared_key extension offering {@code identities}, with zero binders of 32 bytes. */
    static byte[] pskExtension(List<byte[]> identities, long[] obfuscatedAges) {
        List<byte[]> ids = new ArrayList<>();
        List<byte[]> binders = new ArrayList<>();
        for (int i = 0; i < identities.size(); i++) {
            byte[] id = identities.get(i);
            long age = obfuscatedAges[i];
            ids.add(bytes(u16s(id.length), id, u16s((int) (age >>> 16), (int) age)));
            binders.add(bytes(new byte[] {32}, new byte[32]));
        }
        return bytes(vector16(bytes(ids.toArray(new byte[0][]))), vector16(bytes(binders.toArray(new byte[0][]))));
    }

    /**
     * {@code message}, a ClientHello whose last extension is a pre_shared_key with 32-byte binders,
     * with binder {@code i} computed for {@code psks[i]} (RFC 8446, section 4.2.11.2) over
     * {@code before} (the transcript before this hello, empty for a first one) and the truncated
     * hello; a {@code null} PSK leaves its binder as it is.
     */
    static byte[] bind(byte[] message, byte[][] psks, byte[] before) throws Exception {
        int bindersLength = 2 + psks.length * 33;
        int truncated = message.length - bindersLength;
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(before);
        d.update(message, 0, truncated);
        byte[] hash = d.digest();
        byte[] bound = message.clone();
        for (int i = 0; i < psks.length; i++) {
            if (psks[i] == null) {
                continue;
            }
            KeySchedule ks = new KeySchedule(NativeHandshakeTest.CONTEXT.crypto(), CipherSuite.Hash.SHA256);
            ks.startEarly(psks[i]);
            byte[] binder = ks.resumptionBinder(hash);
            System.arraycopy(binder, 0, bound, truncated + 2 + i * 33 + 1, 32);
        }
        return bound;
    }

    /** A hello resuming with {@code ticket}: psk_dhe_ke and a pre_shared_key with a binder that verifies. */
    static byte[] resumingHello(Hello hello, Ticket ticket) throws Exception {
        hello.ext(45, new byte[] {1, 1});
        long age = (ticket.ageAdd + 10) & 0xffffffffL;
        hello.ext(41, pskExtension(List.of(ticket.identity), new long[] {age}));
        return bind(hello.message(), new byte[][] {ticket.psk}, new byte[0]);
    }

    /** Records {@code message} (a whole ClientHello) in the transcript as the one that counts and returns it as a record. */
    byte[] sendMessage(byte[] message) throws Exception {
        transcript = MessageDigest.getInstance("SHA-256");
        transcript.update(message);
        return plaintextRecord(22, message);
    }

    /**
     * Records a second ClientHello after a HelloRetryRequest: the transcript is {@code before} (the
     * message_hash of the first hello and the HelloRetryRequest) and {@code message}.
     */
    byte[] sendAfterRetry(byte[] before, byte[] message) throws Exception {
        transcript = MessageDigest.getInstance("SHA-256");
        transcript.update(before);
        transcript.update(message);
        return plaintextRecord(22, message);
    }

    /** A record protected with the client's handshake keys. */
    byte[] handshakeRecord(int innerType, byte[] content, int padding) throws Exception {
        return seal(clientHandshake, innerType, content, padding);
    }

    /** A record protected with the client's application keys. */
    byte[] applicationRecord(int innerType, byte[] content, int padding) throws Exception {
        return seal(clientApplication, innerType, content, padding);
    }

    private static byte[] seal(RecordCipher cipher, int innerType, byte[] content, int padding) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(RecordCipher.sealedLength(content.length, padding));
        cipher.begin(content.length, padding, out);
        cipher.update(ByteBuffer.wrap(content), content.length, out);
        cipher.finish(innerType, padding, out);
        return out.array();
    }

    /** Opens one record the server sent after its flight: returns {type, content...}. */
    byte[] openFromServer(ByteBuffer wire, boolean applicationKeys) throws Exception {
        int recordLength = 5 + (((wire.get(wire.position() + 3) & 0xff) << 8) | (wire.get(wire.position() + 4) & 0xff));
        if (wire.get(wire.position()) != 23) {
            byte[] plain = new byte[recordLength - 5];
            wire.position(wire.position() + 5);
            wire.get(plain);
            return plain;
        }
        ByteBuffer out = ByteBuffer.allocate(recordLength);
        int n = (applicationKeys ? serverApplication : serverHandshake).open(wire, recordLength, out);
        int end = n - 1;
        while (out.get(end) == 0) {
            end--;
        }
        byte[] r = new byte[end + 1];
        r[0] = out.get(end);
        for (int i = 0; i < end; i++) {
            r[i + 1] = out.get(i);
        }
        return r;
    }
}
