package dev.asyncjsse.tls13;

import static dev.asyncjsse.tls13.ScriptedClient.bytes;
import static dev.asyncjsse.tls13.ScriptedClient.u16s;
import static dev.asyncjsse.tls13.ScriptedClient.vector16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * Resumption driven byte by byte with the {@link ScriptedClient}: what the server does with good
 * tickets, unusable ones (a full handshake) and malformed or forged PSK offers (the alert RFC 8446
 * prescribes). Each test has a context of its own, so tickets never cross tests.
 */
class ScriptedResumptionTest {

    /** A server of {@code context} with the EC P-256 test key, signing inline. */
    static TestFront server(NativeContext context) {
        return new TestFront(context, NativeHandshakeTest.serverParameters(),
                b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))));
    }

    static NativeContext newContext() {
        return new NativeContext(new SecureRandom());
    }

    /** A full handshake with {@code hello} and the ticket the server issues on its first wrap. */
    static ScriptedClient.Ticket fullHandshake(TestFront server, ScriptedClient client, ScriptedClient.Hello hello) throws Exception {
        client.handshakeWith(server, hello);
        return client.readTicket(finish(server, client));
    }

    /** A context whose {@code dev.asyncjsse.tickets.count} is {@code count}. */
    private static NativeContext contextIssuing(String count) {
        System.setProperty(SessionRegistry.COUNT_PROPERTY, count);
        try {
            return newContext();
        } finally {
            System.clearProperty(SessionRegistry.COUNT_PROPERTY);
        }
    }

    /**
     * Sends the client's Finished: as the JDK's server, the native one then wants to wrap, and that
     * wrap sends the tickets and reports FINISHED. Returns what it wrote, flipped.
     */
    static ByteBuffer finish(TestFront server, ScriptedClient client) throws Exception {
        SSLEngineResult done = server.unwrap(ByteBuffer.wrap(client.finishedRecord()), ByteBuffer.allocate(1 << 15));
        assertEquals(HandshakeStatus.NEED_WRAP, done.getHandshakeStatus(), "tickets are due");
        assertTrue(server.getSession().isValid(), "the session is established");
        ByteBuffer tickets = ByteBuffer.allocate(1 << 15);
        SSLEngineResult r = server.wrap(ByteBuffer.allocate(0), tickets);
        assertEquals(HandshakeStatus.FINISHED, r.getHandshakeStatus());
        assertTrue(r.bytesProduced() > 0, "the wrap after the client's Finished sends the ticket: " + r);
        tickets.flip();
        return tickets;
    }

    static ScriptedClient.Ticket ticket(NativeContext context) throws Exception {
        ScriptedClient client = new ScriptedClient();
        return fullHandshake(server(context), client, ScriptedClient.Hello.standard(client).ext(45, new byte[] {1, 1}));
    }

    /** Sends {@code hello} to a new server of {@code context}; returns it with its answer in {@code flight}. */
    static TestFront offer(NativeContext context, ScriptedClient client, byte[] hello, ByteBuffer flight) throws Exception {
        TestFront server = server(context);
        server.unwrap(ByteBuffer.wrap(client.sendMessage(hello)), ByteBuffer.allocate(1 << 15));
        server.wrap(ByteBuffer.allocate(0), flight);
        flight.flip();
        return server;
    }

    private static boolean resumed(TestFront server) {
        return ((Tls13Session) server.engine.handshakeSession()).isResumed();
    }

    /** Resumes with {@code ticket} after applying {@code change} to the hello; returns the server. */
    private static TestFront resume(NativeContext context, ScriptedClient.Ticket ticket, UnaryOperator<ScriptedClient.Hello> change)
            throws Exception {
        ScriptedClient client = new ScriptedClient();
        byte[] hello = ScriptedClient.resumingHello(change.apply(ScriptedClient.Hello.standard(client)), ticket);
        return offer(context, client, hello, ByteBuffer.allocate(1 << 15));
    }

    @Test
    void aTicketResumesWithoutCertificateOrSignature() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        assertTrue(ticket.lifetime > 0 && ticket.lifetime <= 604_800, "lifetime " + ticket.lifetime);
        assertEquals(86_400, ticket.lifetime, "the default session timeout");

        ScriptedClient client = new ScriptedClient();
        client.psk = ticket.psk;
        ControlledOffloader offloader = new ControlledOffloader();
        TestFront server = new TestFront(context, NativeHandshakeTest.serverParameters(),
                b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))).offloader(offloader));
        ByteBuffer app = ByteBuffer.allocate(1 << 15);
        byte[] hello = ScriptedClient.resumingHello(ScriptedClient.Hello.standard(client), ticket);
        server.unwrap(ByteBuffer.wrap(client.sendMessage(hello)), app);
        ByteBuffer flight = ByteBuffer.allocate(1 << 15);
        server.wrap(ByteBuffer.allocate(0), flight);
        flight.flip();
        int flightLength = flight.remaining();
        client.receiveFlight(flight);
        assertTrue(flightLength < 400, "ServerHello, EncryptedExtensions and Finished only: " + flightLength + " bytes");
        // the resumed connection issues a fresh ticket of its own, which resumes too
        ScriptedClient.Ticket next = client.readTicket(finish(server, client));
        assertTrue(((Tls13Session) server.getSession()).isResumed());
        assertTrue(offloader.requests.isEmpty(), "no key operation");
        assertFalse(Arrays.equals(ticket.identity, next.identity));
        assertNotEquals(ticket.ageAdd, next.ageAdd);
        assertTrue(resumed(resume(context, next, h -> h)));
    }

    @Test
    void eachTicketHasItsOwnNonceAgeAddAndPsk() throws Exception {
        NativeContext context = contextIssuing("3");
        ScriptedClient client = new ScriptedClient();
        TestFront server = server(context);
        client.handshakeWith(server, ScriptedClient.Hello.standard(client).ext(45, new byte[] {1, 1}));
        SSLEngineResult done = server.unwrap(ByteBuffer.wrap(client.finishedRecord()), ByteBuffer.allocate(1 << 15));
        assertEquals(HandshakeStatus.NEED_WRAP, done.getHandshakeStatus());
        ByteBuffer wire = ByteBuffer.allocate(1 << 15);
        byte[] data = "after the tickets".getBytes(StandardCharsets.US_ASCII);
        SSLEngineResult r = server.wrap(ByteBuffer.wrap(data), wire);
        assertEquals(HandshakeStatus.FINISHED, r.getHandshakeStatus());
        assertEquals(data.length, r.bytesConsumed(), "the application data goes out with the tickets");
        wire.flip();
        ScriptedClient.Ticket[] t = {client.readTicket(wire), client.readTicket(wire), client.readTicket(wire)};
        byte[] record = client.openFromServer(wire, true);
        assertArrayEquals(bytes(new byte[] {23}, data), record);
        for (int i = 0; i < 3; i++) {
            for (int j = i + 1; j < 3; j++) {
                assertFalse(Arrays.equals(t[i].nonce, t[j].nonce));
                assertFalse(Arrays.equals(t[i].psk, t[j].psk));
                assertFalse(Arrays.equals(t[i].identity, t[j].identity));
            }
        }
        assertTrue(resumed(resume(context, t[2], h -> h)));
    }

    @Test
    void noTicketsWhenTheCountIsZeroOrTheClientCannotResume() throws Exception {
        NativeContext none = contextIssuing("0");
        for (NativeContext context : new NativeContext[] {none, newContext()}) {
            ScriptedClient client = new ScriptedClient();
            TestFront server = server(context);
            ByteBuffer app = ByteBuffer.allocate(1 << 15);
            // the second context issues tickets, but this client offers no psk_dhe_ke (section 4.2.9)
            ScriptedClient.Hello hello = ScriptedClient.Hello.standard(client);
            if (context == none) {
                hello.ext(45, new byte[] {1, 1});
            }
            client.handshakeWith(server, hello);
            SSLEngineResult done = server.unwrap(ByteBuffer.wrap(client.finishedRecord()), app);
            assertEquals(HandshakeStatus.FINISHED, done.getHandshakeStatus(), "no tickets to send");
            assertEquals(0, server.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 15)).bytesProduced());
        }
    }

    // ---------------------------------------------------------------- unusable tickets: a full handshake

    @Test
    void aForgedTruncatedOrForeignTicketGetsAFullHandshake() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket good = ticket(context);
        ScriptedClient.Ticket forged = copy(good);
        forged.identity[forged.identity.length / 2] ^= 1;
        ScriptedClient.Ticket truncated = copy(good);
        truncated.identity = Arrays.copyOf(good.identity, good.identity.length - 1);
        ScriptedClient.Ticket foreign = ticket(newContext());
        for (ScriptedClient.Ticket t : List.of(forged, truncated, foreign)) {
            ByteBuffer flight = ByteBuffer.allocate(1 << 15);
            ScriptedClient client = new ScriptedClient();
            TestFront server = offer(context, client, ScriptedClient.resumingHello(ScriptedClient.Hello.standard(client), t), flight);
            assertFalse(resumed(server));
            client.receiveFlight(flight);
            finish(server, client);
        }
        assertTrue(resumed(resume(context, good, h -> h)), "the good ticket still resumes");
    }

    private static ScriptedClient.Ticket copy(ScriptedClient.Ticket t) {
        ScriptedClient.Ticket c = new ScriptedClient.Ticket();
        c.lifetime = t.lifetime;
        c.ageAdd = t.ageAdd;
        c.nonce = t.nonce.clone();
        c.identity = t.identity.clone();
        c.psk = t.psk.clone();
        return c;
    }

    @Test
    void anExpiredTicketGetsAFullHandshake() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        long now = System.currentTimeMillis();
        context.sessions().setClock(() -> now + ticket.lifetime * 1000 - 30_000);
        assertTrue(resumed(resume(context, withAge(ticket, ticket.lifetime * 1000 - 30_000), h -> h)), "still within its lifetime");
        context.sessions().setClock(() -> now + ticket.lifetime * 1000 + 60_000);
        assertFalse(resumed(resume(context, withAge(ticket, ticket.lifetime * 1000 + 60_000), h -> h)));
    }

    @Test
    void aTicketWhoseAgeTheClientMisstatesGetsAFullHandshake() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        assertFalse(resumed(resume(context, withAge(ticket, 3_600_000), h -> h)));
    }

    /** {@code ticket} as a client that received it {@code ageMillis} ago offers it: its obfuscated age changes. */
    private static ScriptedClient.Ticket withAge(ScriptedClient.Ticket ticket, long ageMillis) {
        ScriptedClient.Ticket t = copy(ticket);
        t.ageAdd = (ticket.ageAdd + ageMillis - 10) & 0xffffffffL;
        return t;
    }

    @Test
    void anInvalidatedSessionsTicketGetsAFullHandshake() throws Exception {
        NativeContext context = newContext();
        ScriptedClient client = new ScriptedClient();
        TestFront first = server(context);
        ScriptedClient.Ticket ticket = fullHandshake(first, client, ScriptedClient.Hello.standard(client).ext(45, new byte[] {1, 1}));
        assertTrue(first.getSession().isValid());
        first.getSession().invalidate();
        assertFalse(first.getSession().isValid());
        assertFalse(resumed(resume(context, ticket, h -> h)));
    }

    @Test
    void anotherServerNameGetsAFullHandshake() throws Exception {
        NativeContext context = newContext();
        ScriptedClient client = new ScriptedClient();
        ScriptedClient.Ticket ticket = fullHandshake(server(context), client,
                ScriptedClient.Hello.standard(client).ext(0, serverName("a.localhost")).ext(45, new byte[] {1, 1}));
        assertTrue(resumed(resume(context, ticket, h -> h.ext(0, serverName("A.LOCALHOST")))), "host names compare without case");
        assertFalse(resumed(resume(context, ticket, h -> h.ext(0, serverName("b.localhost")))));
        assertFalse(resumed(resume(context, ticket, h -> h)), "no server name where the ticket has one");
    }

    @Test
    void aSuiteOfAnotherHashGetsAFullHandshake() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        TestFront server = resume(context, ticket, h -> {
            h.suites = u16s(0x1302);
            return h;
        });
        assertFalse(resumed(server));
        assertEquals("TLS_AES_256_GCM_SHA384", server.engine.handshakeSession().getCipherSuite());
        assertTrue(resumed(resume(context, ticket, h -> {
            h.suites = u16s(0x1303);
            return h;
        })), "ChaCha20-Poly1305 has the ticket's SHA-256");
    }

    @Test
    void pskKeOnlyGetsAFullHandshake() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        ScriptedClient client = new ScriptedClient();
        ScriptedClient.Hello h = ScriptedClient.Hello.standard(client).ext(45, new byte[] {1, 0});
        h.ext(41, ScriptedClient.pskExtension(List.of(ticket.identity), new long[] {ticket.ageAdd}));
        byte[] hello = ScriptedClient.bind(h.message(), new byte[][] {ticket.psk}, new byte[0]);
        assertFalse(resumed(offer(context, client, hello, ByteBuffer.allocate(1 << 15))));
    }

    @Test
    void theFirstUsableIdentityIsChosen() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        ScriptedClient client = new ScriptedClient();
        client.psk = ticket.psk;
        ScriptedClient.Hello h = ScriptedClient.Hello.standard(client).ext(45, new byte[] {1, 1});
        byte[] unknown = new byte[ticket.identity.length];
        h.ext(41, ScriptedClient.pskExtension(List.of(unknown, ticket.identity), new long[] {0, ticket.ageAdd}));
        // the unusable first identity's binder is never checked (section 4.2.11): zeros are fine
        byte[] hello = ScriptedClient.bind(h.message(), new byte[][] {null, ticket.psk}, new byte[0]);
        ByteBuffer flight = ByteBuffer.allocate(1 << 15);
        TestFront server = offer(context, client, hello, flight);
        assertTrue(resumed(server));
        // ServerHello: ... extensions: supported_versions, then pre_shared_key with selected_identity 1
        byte[] serverHello = new byte[flight.remaining()];
        flight.duplicate().get(serverHello);
        int at = indexOf(serverHello, bytes(u16s(41), u16s(2)));
        assertTrue(at > 0, "ServerHello has pre_shared_key");
        assertEquals(1, ((serverHello[at + 4] & 0xff) << 8) | (serverHello[at + 5] & 0xff));
        client.receiveFlight(flight);
        finish(server, client);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] serverName(String host) {
        return vector16(bytes(new byte[] {0}, vector16(host.getBytes(StandardCharsets.US_ASCII))));
    }

    // ---------------------------------------------------------------- malformed or forged offers: an alert

    @Test
    void aBadBinderIsDecryptError() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        ScriptedClient client = new ScriptedClient();
        byte[] hello = ScriptedClient.resumingHello(ScriptedClient.Hello.standard(client), ticket);
        hello[hello.length - 1] ^= 1;
        assertAlert(context, client, hello, Alert.DECRYPT_ERROR);
        ScriptedClient.Ticket wrongPsk = copy(ticket);
        wrongPsk.psk[0] ^= 1;
        ScriptedClient other = new ScriptedClient();
        assertAlert(context, other, ScriptedClient.resumingHello(ScriptedClient.Hello.standard(other), wrongPsk), Alert.DECRYPT_ERROR);
    }

    @Test
    void aBinderOfTheWrongLengthIsDecryptError() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        ScriptedClient client = new ScriptedClient();
        ScriptedClient.Hello h = ScriptedClient.Hello.standard(client).ext(45, new byte[] {1, 1});
        byte[] identity = bytes(vector16(ticket.identity), u16s((int) (ticket.ageAdd >>> 16), (int) ticket.ageAdd));
        h.ext(41, bytes(vector16(identity), vector16(bytes(new byte[] {48}, new byte[48]))));
        assertAlert(context, client, h.message(), Alert.DECRYPT_ERROR);
    }

    private static void assertAlert(NativeContext context, ScriptedClient client, byte[] hello, Alert alert) throws Exception {
        TestFront server = server(context);
        SSLException e = assertThrows(SSLException.class,
                () -> server.unwrap(ByteBuffer.wrap(client.sendMessage(hello)), ByteBuffer.allocate(1 << 15)));
        assertInstanceOf(SSLHandshakeException.class, e);
        assertTrue(e.getMessage().contains(alert.rfcName()), e.getMessage());
        ByteBuffer out = ByteBuffer.allocate(1 << 10);
        server.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        assertArrayEquals(new byte[] {2, (byte) alert.code}, client.openFromServer(out, false), "the alert on the wire");
    }

    // ---------------------------------------------------------------- early data, HelloRetryRequest

    /** A server of a new context that {@code client} resumes on, offering early data; its flight received. */
    private static TestFront resumedOfferingEarlyData(ScriptedClient client) throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        client.psk = ticket.psk;
        byte[] hello = ScriptedClient.resumingHello(ScriptedClient.Hello.standard(client).ext(42, new byte[0]), ticket);
        ByteBuffer flight = ByteBuffer.allocate(1 << 15);
        TestFront server = offer(context, client, hello, flight);
        client.receiveFlight(flight);
        return server;
    }

    @Test
    void earlyDataIsRefusedAndSkippedWhileTheResumptionCompletes() throws Exception {
        ScriptedClient client = new ScriptedClient();
        TestFront server = resumedOfferingEarlyData(client);
        assertTrue(resumed(server));
        ByteBuffer app = ByteBuffer.allocate(1 << 15);
        // 0-RTT records under keys the server never derived: skipped unread (section 4.2.10)
        byte[] early = new byte[200];
        new SecureRandom().nextBytes(early);
        for (int i = 0; i < 3; i++) {
            byte[] record = bytes(new byte[] {23, 3, 3, 0, (byte) early.length}, early);
            SSLEngineResult r = server.unwrap(ByteBuffer.wrap(record), app);
            assertEquals(record.length, r.bytesConsumed());
            assertEquals(0, r.bytesProduced());
        }
        finish(server, client);
        assertTrue(((Tls13Session) server.getSession()).isResumed());
        byte[] encryptedExtensions = client.serverMessages.get(0);
        assertEquals(8, encryptedExtensions[0]);
        assertEquals(-1, indexOf(encryptedExtensions, bytes(u16s(42), u16s(0))), "EncryptedExtensions accepts no early_data");
    }

    @Test
    void earlyDataBeyondTheLimitIsAnAlert() throws Exception {
        ScriptedClient client = new ScriptedClient();
        TestFront server = resumedOfferingEarlyData(client);
        byte[] early = new byte[16_000];
        new SecureRandom().nextBytes(early);
        byte[] record = bytes(new byte[] {23, 3, 3, (byte) (early.length >>> 8), (byte) early.length}, early);
        ByteBuffer app = ByteBuffer.allocate(1 << 15);
        int skipped = 0;
        SSLException refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            try {
                server.unwrap(ByteBuffer.wrap(record), app);
                skipped += record.length;
            } catch (SSLException e) {
                refused = e;
            }
        }
        assertTrue(refused != null, "early data is not skipped without end");
        // section 4.2.10: a server skips up to its limit (here 128 KiB), then fails the connection
        assertTrue(skipped >= 100_000 && skipped <= 1 << 17, skipped + " bytes skipped first");
        assertTrue(refused.getMessage().contains(Alert.UNEXPECTED_MESSAGE.rfcName()), refused.getMessage());
    }

    @Test
    void aPskAfterHelloRetryRequestResumes() throws Exception {
        NativeContext context = newContext();
        ScriptedClient.Ticket ticket = ticket(context);
        ScriptedClient client = new ScriptedClient();
        client.psk = ticket.psk;
        // the first hello lists only X25519 and offers no share: the server asks for one
        ScriptedClient.Hello first = ScriptedClient.Hello.standard(client);
        first.replace(10, vector16(u16s(0x001d))).replace(51, vector16(new byte[0]));
        byte[] hello1 = ScriptedClient.resumingHello(first, ticket);
        TestFront server = server(context);
        ByteBuffer app = ByteBuffer.allocate(1 << 15);
        server.unwrap(ByteBuffer.wrap(ScriptedClient.plaintextRecord(22, hello1)), app);
        ByteBuffer retry = ByteBuffer.allocate(1 << 12);
        server.wrap(ByteBuffer.allocate(0), retry);
        retry.flip();
        assertEquals(22, retry.get(0));
        byte[] hrr = new byte[((retry.get(3) & 0xff) << 8) | (retry.get(4) & 0xff)];
        retry.position(5);
        retry.get(hrr);
        assertArrayEquals(ServerHandshake.HELLO_RETRY_RANDOM, Arrays.copyOfRange(hrr, 6, 38), "a HelloRetryRequest");

        ScriptedClient.Hello second = ScriptedClient.Hello.standard(client);
        second.replace(10, vector16(u16s(0x001d)));
        second.ext(45, new byte[] {1, 1});
        second.ext(41, ScriptedClient.pskExtension(List.of(ticket.identity), new long[] {(ticket.ageAdd + 20) & 0xffffffffL}));
        byte[] hash1 = MessageDigest.getInstance("SHA-256").digest(hello1);
        byte[] before = bytes(new byte[] {(byte) 254, 0, 0, 32}, hash1, hrr);
        byte[] hello2 = ScriptedClient.bind(second.message(), new byte[][] {ticket.psk}, before);
        byte[] record = client.sendAfterRetry(before, hello2);
        server.unwrap(ByteBuffer.wrap(record), app);
        ByteBuffer flight = ByteBuffer.allocate(1 << 15);
        server.wrap(ByteBuffer.allocate(0), flight);
        flight.flip();
        assertTrue(resumed(server));
        client.receiveFlight(flight);
        finish(server, client);
    }
}
