package dev.asyncjsse.conformance.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncjsse.conformance.interop.Matrix.ServerKey;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether the AsyncJSSE server resumes TLS 1.3 sessions yet, for the resumption interop tests: they
 * are written and ready, and run as soon as the server sends a NewSessionTicket after a handshake.
 * {@code -Dinterop.expectResumption=true} turns a missing ticket into a failure (for CI once
 * resumption has landed, so that losing it cannot pass unnoticed). Thread-safe; the probe runs once.
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
        if (Boolean.getBoolean(EXPECT)) {
            fail(message + " (-D" + EXPECT + "=true)");
        }
        Assumptions.abort(message);
    }

    /**
     * In memory: a SunJSSE client handshakes with the server; a server that issues tickets has a
     * NewSessionTicket to send on its first wrap after the handshake (RFC 8446 §4.6.1), one that does
     * not has nothing.
     */
    static synchronized boolean ticketsIssued() {
        if (ticketsIssued == null) {
            try {
                SSLEngine server = ServerSetup.of(ServerKey.EC_P256).handshakeInMemory();
                ByteBuffer out = ByteBuffer.allocate(server.getSession().getPacketBufferSize());
                server.wrap(ByteBuffer.allocate(0), out);
                ticketsIssued = out.position() > 0;
            } catch (Exception e) {
                throw new IllegalStateException("cannot tell whether the server issues session tickets", e);
            }
        }
        return ticketsIssued;
    }
}
