package dev.asyncjsse.tls13;

import static dev.asyncjsse.tls13.ScriptedClient.handshake;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing of the native engine's parsers behind the record protection. The
 * byte-level fuzzer ({@code robustness.EngineFuzzTest}, which runs on this engine too with
 * {@code dev.asyncjsse.tls13=native}) replays recorded flights: a mutated protected record there only
 * ever fails authentication. Here the {@link ScriptedClient} mutates the plaintext first (the
 * ClientHello body, the client's Finished, post-handshake KeyUpdate, NewSessionTicket, alerts and
 * inner content types) and then protects it with the right keys, so every mutation reaches the
 * handshake and alert parsers.
 *
 * <p>Each input must end in one of two ways: {@code unwrap} returns a result that consumed no more
 * than it was given, or it throws an {@link SSLException} whose message names an RFC 8446 alert, after
 * which the engine is closed inbound and the next {@code wrap} writes that very alert as a fatal one
 * and reports {@code CLOSED}. Anything else (another exception type, a silent close, a different alert
 * on the wire) is a finding. Inputs: {@code asyncjsse.fuzz.nativeIterations} (default 1,500), seed
 * {@code asyncjsse.fuzz.seed}.
 */
class ProtectedMessageFuzzTest {

    private static final long DEFAULT_SEED = 0x5EED_0F_7A7EL;
    private static final int[] EDGE_BYTES = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff, 0x14, 0x15, 0x16, 0x17, 0x18};

    /** Where in the connection the mutated input arrives. */
    enum Stage { HELLO, CLIENT_FINISHED, CONNECTED }

    /** Post-handshake plaintexts a client may send, as {inner type, content...}. */
    private static final List<byte[]> CONNECTED_SEEDS = List.of(
            inner(22, handshake(24, new byte[] {0})),
            inner(22, handshake(24, new byte[] {1})),
            inner(22, handshake(4, new byte[13])),
            inner(21, new byte[] {1, 0}),
            inner(21, new byte[] {2, 40}),
            inner(23, new byte[] {'h', 'i'}));

    private static byte[] inner(int type, byte[] content) {
        return ScriptedClient.bytes(new byte[] {(byte) type}, content);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void mutatedPlaintextGetsAnAlertOrAResult() throws Exception {
        long seed = Long.getLong("asyncjsse.fuzz.seed", DEFAULT_SEED);
        int iterations = Integer.getInteger("asyncjsse.fuzz.nativeIterations", 1500);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> findings = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            Random r = new Random(seed * 31 + i);
            Stage stage = Stage.values()[r.nextInt(Stage.values().length)];
            StringBuilder how = new StringBuilder();
            String outcome;
            try {
                outcome = stage + " " + runOne(stage, r, how);
            } catch (Throwable t) {
                outcome = stage + " FINDING " + t.getClass().getSimpleName();
                findings.add("#" + i + " " + stage + " " + how + ": " + t + " at " + where(t));
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.println("native fuzz: seed " + seed + ", " + iterations + " inputs, " + findings.size() + " findings");
        outcomes.forEach((k, v) -> System.out.println("  " + v + "\t" + k));
        findings.forEach(f -> System.out.println("FINDING " + f));
        assertTrue(findings.isEmpty(), findings.size() + " findings, first: " + (findings.isEmpty() ? "" : findings.get(0)));
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("CONNECTED") && k.contains("alert")),
                "no post-handshake input reached an alert: " + outcomes.keySet());
    }

    /** Runs one input and returns its outcome class; throws on a broken rule. */
    private static String runOne(Stage stage, Random r, StringBuilder how) throws Exception {
        TestFront server = new TestFront(NativeHandshakeTest.CONTEXT, NativeHandshakeTest.serverParameters(),
                b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))));
        ScriptedClient client = new ScriptedClient();
        ByteBuffer app = ByteBuffer.allocate(1 << 15);
        byte[] input;
        boolean protectedAlert = stage != Stage.HELLO;
        if (stage == Stage.HELLO) {
            input = ScriptedClient.plaintextRecord(22, mutate(ScriptedClient.Hello.standard(client).message(), r, how));
        } else {
            server.unwrap(ByteBuffer.wrap(client.send(ScriptedClient.Hello.standard(client))), app);
            ByteBuffer flight = ByteBuffer.allocate(1 << 15);
            server.wrap(ByteBuffer.allocate(0), flight);
            flight.flip();
            client.receiveFlight(flight);
            int padding = r.nextInt(4) == 0 ? r.nextInt(RecordCipher.MAX_PADDING + 1) : 0;
            if (stage == Stage.CLIENT_FINISHED) {
                byte[] finished = mutate(client.finishedMessage(), r, how);
                input = client.handshakeRecord(r.nextInt(8) == 0 ? r.nextInt(256) : 22, finished, padding);
            } else {
                SSLEngineResult done = server.unwrap(ByteBuffer.wrap(client.handshakeRecord(22, client.finishedMessage(), 0)), app);
                assertEquals(SSLEngineResult.HandshakeStatus.FINISHED, done.getHandshakeStatus());
                byte[] plain = mutate(CONNECTED_SEEDS.get(r.nextInt(CONNECTED_SEEDS.size())), r, how);
                if (plain.length == 0) {
                    plain = new byte[] {(byte) r.nextInt(256)};
                }
                input = client.applicationRecord(plain[0] & 0xff, Arrays.copyOfRange(plain, 1, plain.length), padding);
            }
        }
        ByteBuffer in = ByteBuffer.wrap(input);
        SSLException failure;
        try {
            SSLEngineResult result = server.unwrap(in, app);
            if (result.bytesConsumed() > input.length) {
                throw new AssertionError("consumed " + result.bytesConsumed() + " of " + input.length);
            }
            return "result " + result.getStatus();
        } catch (SSLException e) {
            failure = e;
        }
        return afterFailure(server, client, failure, protectedAlert);
    }

    /**
     * What must hold after {@code failure} ended a connection: inbound done, the next wrap CLOSED,
     * and on the wire the alert the exception names (protected if {@code protectedAlert}), or nothing
     * when it was the client's own alert. Returns the outcome class; throws on a broken rule.
     */
    static String afterFailure(TestFront server, ScriptedClient client, SSLException failure, boolean protectedAlert)
            throws Exception {
        if (!server.isInboundDone()) {
            throw new AssertionError("inbound still open after " + failure);
        }
        ByteBuffer out = ByteBuffer.allocate(1 << 15);
        SSLEngineResult closing = server.wrap(ByteBuffer.allocate(0), out);
        if (closing.getStatus() != SSLEngineResult.Status.CLOSED || !server.isOutboundDone()) {
            throw new AssertionError("after " + failure + " wrap gave " + closing);
        }
        String message = String.valueOf(failure.getMessage());
        if (message.startsWith("received fatal alert") || message.startsWith("the client ")) {
            // the client's own error alert: section 6.2 closes the connection without an answer
            if (closing.bytesProduced() != 0) {
                throw new AssertionError("answered the client's alert (" + failure + ") with " + closing);
            }
            return "peer alert";
        }
        Alert alert = namedAlert(failure);
        out.flip();
        byte[] sent = client.openFromServer(out, protectedAlert);
        int at = protectedAlert ? 1 : 0;
        if (protectedAlert && sent[0] != 21 || sent.length != at + 2 || sent[at] != 2 || (sent[at + 1] & 0xff) != alert.code) {
            throw new AssertionError("after " + failure + " the wire carried " + HexFormat.of().formatHex(sent));
        }
        return failure.getClass().getSimpleName() + " alert " + alert.rfcName();
    }

    /** The innermost frames of the project's code that {@code t} passed through. */
    static String where(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("dev.asyncjsse") && s.length() < 400) {
                s.append(e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1)).append('.').append(e.getMethodName())
                        .append(':').append(e.getLineNumber()).append(' ');
            }
        }
        return s.toString();
    }

    /** The alert the exception's message names (the engine names the one it sends). */
    static Alert namedAlert(SSLException e) {
        String message = String.valueOf(e.getMessage());
        Alert named = null;
        for (Alert a : Alert.values()) {
            if (message.contains(a.rfcName()) && (named == null || a.rfcName().length() > named.rfcName().length())) {
                named = a;
            }
        }
        if (named == null) {
            throw new AssertionError("no alert named in " + e, e);
        }
        return named;
    }

    /** One to three random edits of {@code in}; {@code how} gets a short description. */
    static byte[] mutate(byte[] in, Random r, StringBuilder how) {
        byte[] b = in;
        int rounds = 1 + r.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            b = edit(b, r, how);
        }
        return b;
    }

    private static byte[] edit(byte[] in, Random r, StringBuilder how) {
        int n = in.length;
        switch (r.nextInt(6)) {
            case 0: {
                byte[] b = in.clone();
                if (n > 0) {
                    int p = r.nextInt(n);
                    b[p] ^= (byte) (1 << r.nextInt(8));
                    how.append("flip@").append(p).append(' ');
                }
                return b;
            }
            case 1: {
                byte[] b = in.clone();
                if (n > 0) {
                    int p = r.nextInt(n);
                    b[p] = (byte) EDGE_BYTES[r.nextInt(EDGE_BYTES.length)];
                    how.append("set@").append(p).append(' ');
                }
                return b;
            }
            case 2: {
                int keep = n == 0 ? 0 : r.nextInt(n);
                how.append("cut@").append(keep).append(' ');
                return Arrays.copyOf(in, keep);
            }
            case 3: {
                byte[] extra = new byte[1 + r.nextInt(40)];
                r.nextBytes(extra);
                int p = r.nextInt(n + 1);
                how.append("insert").append(extra.length).append('@').append(p).append(' ');
                return ScriptedClient.bytes(Arrays.copyOf(in, p), extra, Arrays.copyOfRange(in, p, n));
            }
            case 4: {
                // a length field: the handshake header's u24 or any u16 inside
                byte[] b = in.clone();
                if (n >= 4) {
                    int p = r.nextInt(3) == 0 ? 1 : r.nextInt(n - 1);
                    int v = r.nextBoolean() ? r.nextInt(1 << 16) : ((b[p] & 0xff) << 8 | (b[p + 1] & 0xff)) + r.nextInt(5) - 2;
                    b[p] = (byte) (v >>> 8);
                    b[p + 1] = (byte) v;
                    how.append("len@").append(p).append('=').append(v & 0xffff).append(' ');
                }
                return b;
            }
            default: {
                if (n == 0) {
                    return in;
                }
                int from = r.nextInt(n);
                int len = 1 + r.nextInt(n - from);
                int p = r.nextInt(n + 1);
                how.append("dup").append(from).append('+').append(len).append('@').append(p).append(' ');
                return ScriptedClient.bytes(Arrays.copyOf(in, p), Arrays.copyOfRange(in, from, from + len),
                        Arrays.copyOfRange(in, p, n));
            }
        }
    }
}
