package dev.asyncjsse.tls13;

import static dev.asyncjsse.tls13.ScriptedClient.bytes;
import static dev.asyncjsse.tls13.ScriptedClient.handshake;
import static dev.asyncjsse.tls13.ScriptedClient.keyShare;
import static dev.asyncjsse.tls13.ScriptedClient.plaintextRecord;
import static dev.asyncjsse.tls13.ScriptedClient.u16s;
import static dev.asyncjsse.tls13.ScriptedClient.vector16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input mapped to the alert RFC 8446 prescribes and the {@code SSLException} subtype
 * the caller gets: the failing call throws, the next {@code wrap} writes exactly that alert (protected
 * like the last record the server sent), and the engine is closed in both directions.
 */
class MalformedInputTest {

    /** How far a case lets the handshake get before its bad input. */
    enum Stage { HELLO, CLIENT_FLIGHT, CONNECTED }

    @FunctionalInterface
    interface Input {
        byte[] bytes(ScriptedClient c) throws Exception;
    }

    private static ScriptedClient.Hello std(ScriptedClient c) {
        return ScriptedClient.Hello.standard(c);
    }

    private static byte[] hello(ScriptedClient c, ScriptedClient.Hello h) throws Exception {
        return c.send(h);
    }

    private static Arguments hs(String name, Alert alert, Input input) {
        return Arguments.of(name, Stage.HELLO, alert, SSLHandshakeException.class, input);
    }

    private static Arguments record(String name, Stage stage, Alert alert, Input input) {
        return Arguments.of(name, stage, alert, SSLProtocolException.class, input);
    }

    private static byte[] lowOrderX25519() {
        return new byte[32]; // the all-zero point: an all-zero shared secret (section 7.4.2)
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // ---- record layer, first flight
                record("unknown content type", Stage.HELLO, Alert.UNEXPECTED_MESSAGE, c -> plaintextRecord(25, new byte[] {1})),
                record("not a TLS record", Stage.HELLO, Alert.DECODE_ERROR, c -> new byte[] {22, 'E', 'T', 0, 1, 0}),
                record("plaintext record over 2^14", Stage.HELLO, Alert.RECORD_OVERFLOW, c -> plaintextRecord(22, new byte[(1 << 14) + 1])),
                record("empty handshake record", Stage.HELLO, Alert.UNEXPECTED_MESSAGE, c -> plaintextRecord(22, new byte[0])),
                record("ChangeCipherSpec before the ClientHello", Stage.HELLO, Alert.UNEXPECTED_MESSAGE,
                        c -> plaintextRecord(20, new byte[] {1})),
                record("application data before keys", Stage.HELLO, Alert.UNEXPECTED_MESSAGE, c -> plaintextRecord(23, new byte[20])),
                // ---- the ClientHello
                hs("not a ClientHello first", Alert.UNEXPECTED_MESSAGE, c -> plaintextRecord(22, handshake(2, new byte[40]))),
                hs("vector overruns the message", Alert.DECODE_ERROR, c -> {
                    ScriptedClient.Hello h = std(c);
                    h.suites = new byte[0];
                    byte[] m = h.message();
                    m[4 + 2 + 32 + 1 + 32 + 1] = (byte) 0xff; // cipher_suites length low byte
                    return plaintextRecord(22, m);
                }),
                hs("trailing bytes", Alert.DECODE_ERROR, c -> {
                    ScriptedClient.Hello h = std(c);
                    h.trailing = new byte[] {0};
                    return hello(c, h);
                }),
                hs("odd cipher_suites", Alert.DECODE_ERROR, c -> {
                    ScriptedClient.Hello h = std(c);
                    h.suites = new byte[] {0x13, 0x01, 0x13};
                    return hello(c, h);
                }),
                hs("session id of 33 bytes", Alert.DECODE_ERROR, c -> {
                    ScriptedClient.Hello h = std(c);
                    h.sessionId = new byte[33];
                    return hello(c, h);
                }),
                hs("compression other than null", Alert.ILLEGAL_PARAMETER, c -> {
                    ScriptedClient.Hello h = std(c);
                    h.compression = new byte[] {1, 0};
                    return hello(c, h);
                }),
                hs("an extension twice", Alert.ILLEGAL_PARAMETER, c -> hello(c, std(c).ext(13, vector16(u16s(0x0403))))),
                hs("pre_shared_key not last", Alert.ILLEGAL_PARAMETER, c -> {
                    ScriptedClient.Hello h = std(c).ext(45, new byte[] {1, 1});
                    h.extensions.add(h.extensions.size() - 1, bytes(u16s(41), vector16(psk())));
                    return hello(c, h);
                }),
                hs("identities and binders differ in number", Alert.ILLEGAL_PARAMETER, c -> {
                    byte[] identity = bytes(vector16(new byte[] {1, 2, 3}), new byte[4]);
                    byte[] binder = bytes(new byte[] {32}, new byte[32]);
                    return hello(c, std(c).ext(45, new byte[] {1, 1}).ext(41,
                            bytes(vector16(bytes(identity, identity)), vector16(binder))));
                }),
                hs("pre_shared_key without psk_key_exchange_modes", Alert.MISSING_EXTENSION, c -> hello(c, std(c).ext(41, psk()))),
                hs("no signature_algorithms", Alert.MISSING_EXTENSION, c -> hello(c, std(c).without(13))),
                hs("no key_share", Alert.MISSING_EXTENSION, c -> hello(c, std(c).without(51))),
                hs("no supported_groups", Alert.MISSING_EXTENSION, c -> hello(c, std(c).without(10))),
                hs("TLS 1.3 not offered", Alert.PROTOCOL_VERSION, c -> hello(c, std(c).replace(43, new byte[] {2, 3, 3}))),
                hs("share of a group not in supported_groups", Alert.ILLEGAL_PARAMETER,
                        c -> hello(c, std(c).replace(51, vector16(keyShare(0x0018, new byte[97]))))),
                hs("two shares of one group", Alert.ILLEGAL_PARAMETER, c -> hello(c, std(c).replace(51,
                        vector16(bytes(keyShare(0x001d, c.publicKey), keyShare(0x001d, c.publicKey)))))),
                hs("X25519 share of 31 bytes", Alert.ILLEGAL_PARAMETER,
                        c -> hello(c, std(c).replace(51, vector16(keyShare(0x001d, new byte[31]))))),
                hs("X25519 share of low order", Alert.ILLEGAL_PARAMETER,
                        c -> hello(c, std(c).replace(51, vector16(keyShare(0x001d, lowOrderX25519()))))),
                hs("P-256 share off the curve", Alert.ILLEGAL_PARAMETER, c -> {
                    byte[] point = new byte[65];
                    point[0] = 4;
                    point[64] = 7;
                    return hello(c, std(c).replace(51, vector16(keyShare(0x0017, point))));
                }),
                hs("only TLS 1.2 suites", Alert.HANDSHAKE_FAILURE, c -> {
                    ScriptedClient.Hello h = std(c);
                    h.suites = u16s(0xc02b, 0xc02f);
                    return hello(c, h);
                }),
                hs("no scheme the server's key can sign with", Alert.HANDSHAKE_FAILURE,
                        c -> hello(c, std(c).replace(13, vector16(u16s(0x0804, 0x0807))))),
                hs("host name with a trailing dot", Alert.ILLEGAL_PARAMETER, c -> hello(c, std(c).ext(0, serverName("example.com.")))),
                hs("two host names", Alert.ILLEGAL_PARAMETER, c -> {
                    byte[] one = bytes(new byte[] {0}, vector16("a.example".getBytes(StandardCharsets.US_ASCII)));
                    return hello(c, std(c).ext(0, vector16(bytes(one, one))));
                }),
                hs("an empty ALPN name", Alert.DECODE_ERROR, c -> hello(c, std(c).ext(16, vector16(new byte[] {0, 2, 'h', '2'})))),
                hs("a handshake message of 70000 bytes", Alert.ILLEGAL_PARAMETER,
                        c -> plaintextRecord(22, new byte[] {1, 1, 0x11, 0x70})),
                hs("handshake data after the ClientHello in its record", Alert.UNEXPECTED_MESSAGE,
                        c -> plaintextRecord(22, bytes(std(c).message(), new byte[] {20, 0, 0}))),
                // ---- the client's protected flight
                record("a protected ChangeCipherSpec", Stage.CLIENT_FLIGHT, Alert.UNEXPECTED_MESSAGE,
                        c -> c.handshakeRecord(20, new byte[] {1}, 0)),
                record("padding and no content type", Stage.CLIENT_FLIGHT, Alert.UNEXPECTED_MESSAGE,
                        c -> c.handshakeRecord(0, new byte[0], 10)),
                record("a record that does not authenticate", Stage.CLIENT_FLIGHT, Alert.BAD_RECORD_MAC, c -> {
                    byte[] r = c.handshakeRecord(22, c.finishedMessage(), 0);
                    r[r.length - 1] ^= 1;
                    return r;
                }),
                record("application data before Finished", Stage.CLIENT_FLIGHT, Alert.UNEXPECTED_MESSAGE,
                        c -> c.handshakeRecord(23, new byte[] {1}, 0)),
                Arguments.of("a Finished that does not verify", Stage.CLIENT_FLIGHT, Alert.DECRYPT_ERROR, SSLHandshakeException.class,
                        (Input) c -> c.handshakeRecord(22, handshake(20, new byte[32]), 0)),
                Arguments.of("a Finished of the wrong length", Stage.CLIENT_FLIGHT, Alert.DECODE_ERROR, SSLHandshakeException.class,
                        (Input) c -> c.handshakeRecord(22, handshake(20, new byte[31]), 0)),
                Arguments.of("a Certificate nobody asked for", Stage.CLIENT_FLIGHT, Alert.UNEXPECTED_MESSAGE, SSLHandshakeException.class,
                        (Input) c -> c.handshakeRecord(22, handshake(11, new byte[] {0, 0, 0, 0}), 0)),
                Arguments.of("a plaintext handshake record after the keys", Stage.CLIENT_FLIGHT, Alert.UNEXPECTED_MESSAGE,
                        SSLProtocolException.class, (Input) c -> plaintextRecord(22, handshake(20, new byte[32]))),
                // ---- after the handshake
                record("a ciphertext over 2^14 + 256", Stage.CONNECTED, Alert.RECORD_OVERFLOW,
                        c -> plaintextRecord(23, new byte[(1 << 14) + 257])),
                record("plaintext over 2^14 + 1 inside", Stage.CONNECTED, Alert.RECORD_OVERFLOW,
                        c -> c.applicationRecord(23, new byte[(1 << 14) + 1], 0)),
                record("an unknown inner content type", Stage.CONNECTED, Alert.UNEXPECTED_MESSAGE,
                        c -> c.applicationRecord(24, new byte[] {1}, 0)),
                record("an unprotected alert", Stage.CONNECTED, Alert.UNEXPECTED_MESSAGE, c -> plaintextRecord(21, new byte[] {1, 0})),
                record("an alert of three bytes", Stage.CONNECTED, Alert.DECODE_ERROR, c -> c.applicationRecord(21, new byte[] {1, 0, 0}, 0)),
                Arguments.of("KeyUpdate asking for 2", Stage.CONNECTED, Alert.ILLEGAL_PARAMETER, SSLProtocolException.class,
                        (Input) c -> c.applicationRecord(22, handshake(24, new byte[] {2}), 0)),
                Arguments.of("KeyUpdate of two bytes", Stage.CONNECTED, Alert.DECODE_ERROR, SSLProtocolException.class,
                        (Input) c -> c.applicationRecord(22, handshake(24, new byte[] {0, 0}), 0)),
                Arguments.of("KeyUpdate with data after it in its record", Stage.CONNECTED, Alert.UNEXPECTED_MESSAGE,
                        SSLProtocolException.class, (Input) c -> c.applicationRecord(22,
                                bytes(handshake(24, new byte[] {0}), handshake(24, new byte[] {0})), 0)),
                Arguments.of("a NewSessionTicket from the client", Stage.CONNECTED, Alert.UNEXPECTED_MESSAGE,
                        SSLProtocolException.class, (Input) c -> c.applicationRecord(22, handshake(4, new byte[13]), 0)));
    }

    private static byte[] psk() {
        byte[] identity = bytes(vector16(new byte[] {1, 2, 3}), new byte[4]);
        byte[] binder = bytes(new byte[] {32}, new byte[32]);
        return bytes(vector16(identity), vector16(binder));
    }

    private static byte[] serverName(String host) {
        return vector16(bytes(new byte[] {0}, vector16(host.getBytes(StandardCharsets.US_ASCII))));
    }

    private static TestFront server() {
        return new TestFront(NativeHandshakeTest.CONTEXT, NativeHandshakeTest.serverParameters(),
                b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("cases")
    void badInputGetsThePrescribedAlert(String name, Stage stage, Alert alert, Class<? extends SSLException> type, Input input)
            throws Exception {
        TestFront server = server();
        ScriptedClient client = new ScriptedClient();
        ByteBuffer app = ByteBuffer.allocate(1 << 15);
        boolean applicationKeys = false;
        if (stage != Stage.HELLO) {
            ByteBuffer hello = ByteBuffer.wrap(client.send(ScriptedClient.Hello.standard(client)));
            server.unwrap(hello, app);
            ByteBuffer flight = ByteBuffer.allocate(1 << 15);
            server.wrap(ByteBuffer.allocate(0), flight);
            flight.flip();
            client.receiveFlight(flight);
            applicationKeys = true;
            if (stage == Stage.CONNECTED) {
                SSLEngineResult r = server.unwrap(ByteBuffer.wrap(client.handshakeRecord(22, client.finishedMessage(), 0)), app);
                assertEquals(SSLEngineResult.HandshakeStatus.FINISHED, r.getHandshakeStatus());
            }
        }
        ByteBuffer bad = ByteBuffer.wrap(input.bytes(client));
        SSLException e = assertThrows(SSLException.class, () -> server.unwrap(bad, app));
        assertInstanceOf(type, e, e.toString());
        assertTrue(e.getMessage().contains(alert.rfcName()), e.getMessage());
        assertTrue(server.isInboundDone());

        ByteBuffer out = ByteBuffer.allocate(1 << 15);
        SSLEngineResult r = server.wrap(ByteBuffer.allocate(0), out);
        assertEquals(SSLEngineResult.Status.CLOSED, r.getStatus());
        assertTrue(server.isOutboundDone());
        out.flip();
        byte[] alertRecord = client.openFromServer(out, applicationKeys);
        byte[] expected = applicationKeys ? new byte[] {21, 2, (byte) alert.code} : new byte[] {2, (byte) alert.code};
        assertArrayEquals(expected, alertRecord, "the alert on the wire");
        assertEquals(SSLEngineResult.Status.CLOSED, server.unwrap(ByteBuffer.allocate(10), app).getStatus());
    }
}
