package dev.asyncjsse.conformance.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncjsse.conformance.interop.Matrix.ServerKey;
import dev.asyncjsse.testkit.ServerEngineProbe.Engine;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether the AsyncJSSE server issues TLS 1.3 session tickets, for the resumption interop tests: they
 * run when the server sends a NewSessionTicket after a handshake and are skipped otherwise (BCJSSE's
 * TLS 1.3 server sends none). {@code -Dinterop.expectResumption=true}, which the conformance suite's
 * native pass sets, turns a missing ticket from the native engine into a failure, so that losing
 * resumption cannot pass unnoticed. Thread-safe; the probe runs once.
 */
final class Resumption {

    /** The property that makes a server without tickets fail the resumption tests instead of skipping them. */
    static final String EXPECT = "interop.expectResumption";

    private static Boolean ticketsIssued;

    private Resumption() {}

    /** Skips (or, with {@link #EXPECT}, fails) the calling test unless the server issues tickets. */
    static void assumeTicketsIssued() {
        if (ticketsIssued()) {
            return;
        }
        String message = "the AsyncJSSE server sent no NewSessionTicket after a TLS 1.3 handshake (engine "
                + EngineUnderTest.inEffect() + "): TLS 1.3 resumption is not there to test";
        // BCJSSE's TLS 1.3 server issues no tickets: only the native engine is held to resuming
        if (Boolean.getBoolean(EXPECT) && EngineUnderTest.inEffect() == Engine.NATIVE) {
            fail(message + " (-D" + EXPECT + "=true)");
        }
        Assumptions.abort(message);
    }

    /**
     * In memory: a SunJSSE client handshakes with the server, and everything the server writes once
     * it has read the client's last handshake message (its Finished) is counted: in TLS 1.3 that can
     * only be a NewSessionTicket (RFC 8446 §4.6.1), whether the server sends it with its reply to the
     * Finished or on the first wrap afterwards.
     */
    static synchronized boolean ticketsIssued() {
        if (ticketsIssued == null) {
            try {
                ticketsIssued = bytesAfterClientFinished(ServerSetup.of(ServerKey.EC_P256).newEngine()) > 0;
            } catch (Exception e) {
                throw new IllegalStateException("cannot tell whether the server issues session tickets", e);
            }
        }
        return ticketsIssued;
    }

    private static long bytesAfterClientFinished(SSLEngine server) throws Exception {
        SSLEngine client = ServerSetup.sunJsseClient();
        ByteBuffer c2s = ByteBuffer.allocate(1 << 16);
        ByteBuffer s2c = ByteBuffer.allocate(1 << 16);
        ByteBuffer app = ByteBuffer.allocate(1 << 16);
        client.beginHandshake();
        server.beginHandshake();
        long after = 0;
        for (int round = 0; round < 50; round++) {
            step(client, s2c, c2s, app);
            // a client that is done has sent its Finished: the server's handshake flight is behind it
            boolean clientDone = !handshaking(client);
            long wrote = step(server, c2s, s2c, app);
            if (clientDone) {
                after += wrote;
            }
            if (clientDone && !handshaking(server) && c2s.position() == 0) {
                s2c.clear();
                return after + step(server, c2s, s2c, app);
            }
        }
        throw new IllegalStateException("the probe handshake did not finish: client " + client.getHandshakeStatus()
                + ", server " + server.getHandshakeStatus());
    }

    private static boolean handshaking(SSLEngine e) {
        HandshakeStatus hs = e.getHandshakeStatus();
        return hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
    }

    /** Whatever {@code e} can do now: tasks, unwraps of {@code in}, wraps into {@code out}; returns the bytes wrapped. */
    private static long step(SSLEngine e, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws Exception {
        long wrote = 0;
        for (int i = 0; i < 20; i++) {
            HandshakeStatus hs = e.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                Runnable t;
                while ((t = e.getDelegatedTask()) != null) {
                    t.run();
                }
                continue;
            }
            SSLEngineResult r;
            if (hs == HandshakeStatus.NEED_WRAP || !handshaking(e) && in.position() == 0) {
                r = e.wrap(ByteBuffer.allocate(0), out);
                wrote += r.bytesProduced();
            } else {
                in.flip();
                r = e.unwrap(in, app);
                in.compact();
                app.clear();
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
                return wrote;
            }
        }
        return wrote;
    }
}
