package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Assertions on failed handshakes. */
final class Failures {

    private Failures() {}

    /** Text of an exception and its causes, for matching. */
    static String text(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getClass().getName()).append(": ").append(c.getMessage()).append(" / ");
            if (c.getCause() == c) {
                break;
            }
        }
        return b.toString();
    }

    /** {@code e} is an SSLHandshakeException whose message or kept cause matches {@code why}. */
    static void assertHandshakeFailure(SSLException e, String side, String why) {
        assertNotNull(e, side + " did not fail");
        assertInstanceOf(SSLHandshakeException.class, e, side + " failure type: " + text(e));
        assertTrue(Pattern.compile(why, Pattern.CASE_INSENSITIVE).matcher(text(e)).find(),
                side + " exception (with causes) does not say why (" + why + "): " + text(e));
    }

    /** Stricter: the exception's own message (what a log line shows) matches {@code why}. */
    static void assertMessageSaysWhy(SSLException e, String side, String why) {
        assertHandshakeFailure(e, side, why);
        assertTrue(Pattern.compile(why, Pattern.CASE_INSENSITIVE).matcher(String.valueOf(e.getMessage())).find(),
                side + " message does not say why (" + why + "): " + e.getMessage());
    }

    /** The peer received an alert: it failed too, with a message that matches {@code why}. */
    static void assertPeerSawAlert(SSLException e, String side, String why) {
        assertNotNull(e, side + " saw no alert");
        assertTrue(Pattern.compile(why, Pattern.CASE_INSENSITIVE).matcher(text(e)).find(),
                side + " error does not match (" + why + "): " + text(e));
    }

    /** The AsyncJSSE side (client or server) failed with {@code asyncWhy}, the peer saw an alert {@code peerWhy}. */
    static void assertFailed(Loop loop, boolean asyncIsServer, String asyncWhy, String peerWhy) {
        SSLException async = asyncIsServer ? loop.serverError : loop.clientError;
        SSLException peer = asyncIsServer ? loop.clientError : loop.serverError;
        assertHandshakeFailure(async, "AsyncJSSE " + (asyncIsServer ? "server" : "client"), asyncWhy);
        assertPeerSawAlert(peer, "peer " + (asyncIsServer ? "client" : "server"), peerWhy);
    }
}
