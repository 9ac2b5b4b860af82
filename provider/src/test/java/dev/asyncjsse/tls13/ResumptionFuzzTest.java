package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Seeded mutation fuzzing of resumption: a ClientHello offering a ticket the server really issued,
 * with a binder that verifies, is mutated (anywhere, or only in the identity, or only in the binder)
 * and sent to a fresh server of the context that issued the ticket. Each input must end in a full
 * handshake (the server answers with its flight), an incomplete hello the server waits on, or an
 * {@link SSLException} naming an RFC 8446 alert that the next {@code wrap} sends; and a hello that
 * differs from the good one in any byte must never resume, since the binder covers all of it (the
 * hello offers one identity). The mutations are {@link ProtectedMessageFuzzTest}'s. Inputs:
 * {@code asyncjsse.fuzz.resumptionIterations} (default 600), seed {@code asyncjsse.fuzz.seed}.
 */
class ResumptionFuzzTest {

    private static final long DEFAULT_SEED = 0x7E5_0_BEEFL;

    /** Which bytes of the hello a mutation may touch. */
    enum Target { ANYWHERE, IDENTITY, BINDER }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void mutatedResumptionHellosNeverResumeAndEndCleanly() throws Exception {
        long seed = Long.getLong("asyncjsse.fuzz.seed", DEFAULT_SEED);
        int iterations = Integer.getInteger("asyncjsse.fuzz.resumptionIterations", 600);
        NativeContext context = new NativeContext(new SecureRandom());
        ScriptedClient.Ticket ticket = ScriptedResumptionTest.ticket(context);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> findings = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            Random r = new Random(seed * 31 + i);
            Target target = Target.values()[r.nextInt(Target.values().length)];
            StringBuilder how = new StringBuilder();
            String outcome;
            try {
                outcome = target + " " + runOne(context, ticket, target, r, how);
            } catch (Throwable t) {
                outcome = target + " FINDING " + t.getClass().getSimpleName();
                findings.add("#" + i + " " + target + " " + how + ": " + t + " at " + ProtectedMessageFuzzTest.where(t));
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.println("resumption fuzz: seed " + seed + ", " + iterations + " inputs, " + findings.size() + " findings");
        outcomes.forEach((k, v) -> System.out.println("  " + v + "\t" + k));
        findings.forEach(f -> System.out.println("FINDING " + f));
        assertTrue(findings.isEmpty(), findings.size() + " findings, first: " + (findings.isEmpty() ? "" : findings.get(0)));
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.contains("decrypt_error")), "no input reached the binder check: " + outcomes);
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.contains("full handshake")), "no input fell back to a full handshake: " + outcomes);
    }

    private static String runOne(NativeContext context, ScriptedClient.Ticket ticket, Target target, Random r, StringBuilder how)
            throws Exception {
        ScriptedClient client = new ScriptedClient();
        ScriptedClient.Hello h = ScriptedClient.Hello.standard(client);
        if (r.nextInt(4) == 0) {
            h.ext(42, new byte[0]);
        }
        byte[] good = ScriptedClient.resumingHello(h, ticket);
        // the tail of the hello: identities<2>{identity<2>, age<4>}, binders<2>{binder<1>}
        int bindersStart = good.length - 2 - 33;
        int identityStart = bindersStart - 4 - ticket.identity.length;
        byte[] bad;
        switch (target) {
            case IDENTITY:
                bad = flipWithin(good, identityStart, bindersStart - 4, r, how);
                break;
            case BINDER:
                bad = flipWithin(good, bindersStart + 3, good.length, r, how);
                break;
            default:
                bad = ProtectedMessageFuzzTest.mutate(good, r, how);
        }
        if (Arrays.equals(good, bad)) {
            return "unchanged";
        }
        TestFront server = ScriptedResumptionTest.server(context);
        ByteBuffer in = ByteBuffer.wrap(ScriptedClient.plaintextRecord(22, bad));
        SSLException failure;
        try {
            SSLEngineResult result = server.unwrap(in, ByteBuffer.allocate(1 << 15));
            if (result.bytesConsumed() > in.capacity()) {
                throw new AssertionError("consumed " + result.bytesConsumed() + " of " + in.capacity());
            }
            Tls13Session session = (Tls13Session) server.engine.handshakeSession();
            if (session != null && session.isResumed()) {
                throw new AssertionError("a mutated hello resumed");
            }
            ByteBuffer flight = ByteBuffer.allocate(1 << 15);
            server.wrap(ByteBuffer.allocate(0), flight);
            return flight.position() > 0 ? "full handshake" : "incomplete hello";
        } catch (SSLException e) {
            failure = e;
        }
        return ProtectedMessageFuzzTest.afterFailure(server, client, failure, false);
    }

    /** One to three bit flips in {@code [from, to)} of a copy of {@code in}. */
    private static byte[] flipWithin(byte[] in, int from, int to, Random r, StringBuilder how) {
        byte[] b = in.clone();
        int rounds = 1 + r.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            int p = from + r.nextInt(to - from);
            b[p] ^= (byte) (1 << r.nextInt(8));
            how.append("flip@").append(p).append(' ');
        }
        return b;
    }
}
