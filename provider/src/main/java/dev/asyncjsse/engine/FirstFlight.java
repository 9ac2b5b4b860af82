package dev.asyncjsse.engine;

import dev.asyncjsse.nio.ClientHello;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;

/**
 * A server's checks of the client's first flight, before any protocol engine sees it: what is not a
 * ClientHello, or one no engine may accept, is refused here with the alert the RFCs prescribe and the
 * exception SunJSSE throws for it, the same for every protocol engine.
 *
 * <p>Internal. A pure function.
 */
final class FirstFlight {

    private static final int SSL3 = 0x0300;

    private FirstFlight() {}

    /** A refused first flight: the alert to send and the exception to throw. Immutable. */
    static final class Refusal {
        final int alert;
        final SSLException exception;

        Refusal(int alert, SSLException exception) {
            this.alert = alert;
            this.exception = exception;
        }
    }

    /**
     * Checks the first flight as the explorer has answered it: complete, not TLS, or malformed.
     *
     * @return the refusal, or {@code null} if a protocol engine may have the bytes
     */
    static Refusal check(ClientHello hello) {
        switch (hello.status()) {
            case COMPLETE:
                return checkHello(hello);
            case NOT_TLS:
            case MALFORMED:
                return refuse(hello);
            case NEED_MORE_BYTES:
                return null;
            default:
                throw new AssertionError("unknown ClientHello status " + hello.status());
        }
    }

    private static Refusal checkHello(ClientHello hello) {
        if (hello.legacyVersion() <= SSL3) {
            // RFC 8446 appendix D.5: a ClientHello.legacy_version of 0x0300 or less MUST be refused
            // with protocol_version.
            return new Refusal(TlsAlert.PROTOCOL_VERSION, handshake("the ClientHello's legacy_version is 0x"
                    + Integer.toHexString(hello.legacyVersion()) + ": SSL 3.0 and older are refused"));
        }
        for (String name : hello.serverNames()) {
            try {
                // the rules SunJSSE applies: LDH labels of at most 63 characters, no trailing dot (RFC 6066 section 3)
                HostNames.of(name.getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                SSLProtocolException refused = new SSLProtocolException("illegal server name in the ClientHello: \""
                        + name + "\" (" + e.getMessage() + ")");
                refused.initCause(e);
                return new Refusal(TlsAlert.ILLEGAL_PARAMETER, refused);
            }
        }
        return null;
    }

    /**
     * Bytes the explorer refused, with the alert it chose: a ClientHello that cannot be decoded is a
     * handshake failure, as SunJSSE reports it; a record layer that breaks the rules is a protocol error.
     */
    private static Refusal refuse(ClientHello hello) {
        int alert = hello.alert();
        if (alert < 0) {
            // the client's own alert: the protocol engine reads it, and it is never answered
            return null;
        }
        if (alert == TlsAlert.DECODE_ERROR) {
            return new Refusal(alert, handshake("malformed ClientHello: " + hello.message()));
        }
        String what = hello.status() == ClientHello.Status.NOT_TLS
                ? "the client did not start a TLS handshake: " : "the client's first flight breaks the record layer: ";
        return new Refusal(alert, protocol(what + hello.message()));
    }

    private static SSLException protocol(String message) {
        return new SSLProtocolException(message);
    }

    private static SSLException handshake(String message) {
        return new SSLHandshakeException(message);
    }
}
