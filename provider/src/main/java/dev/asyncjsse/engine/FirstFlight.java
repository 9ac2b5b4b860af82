package dev.asyncjsse.engine;

import dev.asyncjsse.nio.ClientHello;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SNIHostName;
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

    private static final int MAX_PLAINTEXT = 1 << 14;
    private static final int CLIENT_HELLO = 1;
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
     * Checks the first flight at {@code input}'s position, which the explorer has answered with
     * {@code hello} (complete, not TLS, or malformed).
     *
     * @return the refusal, or {@code null} if a protocol engine may have the bytes
     */
    static Refusal check(ByteBuffer input, ClientHello hello) {
        switch (hello.status()) {
            case COMPLETE:
                return checkHello(hello);
            case NOT_TLS:
            case MALFORMED:
                return checkRecord(input, hello.message());
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
                new SNIHostName(name.getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                SSLProtocolException refused = new SSLProtocolException("illegal server name in the ClientHello: \""
                        + name + "\" (" + e.getMessage() + ")");
                refused.initCause(e);
                return new Refusal(TlsAlert.ILLEGAL_PARAMETER, refused);
            }
        }
        return null;
    }

    private static Refusal checkRecord(ByteBuffer input, String why) {
        int type = TlsRecords.contentType(input);
        if (type == TlsRecords.ALERT) {
            // the peer's alert is for the protocol engine to read: an alert is never answered with one
            return null;
        }
        if (type != TlsRecords.HANDSHAKE) {
            // RFC 8446 section 5: an unexpected record type is refused with unexpected_message
            return new Refusal(TlsAlert.UNEXPECTED_MESSAGE, protocol("the client did not start a TLS handshake: " + why));
        }
        int p = input.position();
        if (input.remaining() >= 2 && (input.get(p + 1) & 0xff) != 3) {
            return new Refusal(TlsAlert.PROTOCOL_VERSION, protocol("the first record's version is not TLS: " + why));
        }
        int length = TlsRecords.recordLength(input) - TlsRecords.HEADER_LENGTH;
        if (length > MAX_PLAINTEXT) {
            // RFC 8446 section 5.1: a plaintext record longer than 2^14 is refused with record_overflow
            return new Refusal(TlsAlert.RECORD_OVERFLOW, protocol("the first record is too long: " + why));
        }
        if (length > 0 && input.remaining() > TlsRecords.HEADER_LENGTH
                && (input.get(p + TlsRecords.HEADER_LENGTH) & 0xff) != CLIENT_HELLO) {
            return new Refusal(TlsAlert.UNEXPECTED_MESSAGE, protocol("the first handshake message is not a ClientHello: " + why));
        }
        // RFC 8446 section 6.2: a message that cannot be parsed is refused with decode_error
        return new Refusal(TlsAlert.DECODE_ERROR, handshake("malformed ClientHello: " + why));
    }

    private static SSLException protocol(String message) {
        return new SSLProtocolException(message);
    }

    private static SSLException handshake(String message) {
        return new SSLHandshakeException(message);
    }
}
