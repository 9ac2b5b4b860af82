package dev.asyncjsse.tls13;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;

/**
 * A fatal protocol failure found inside the engine: the alert to send and what went wrong. The engine
 * turns it into the {@link SSLException} its caller sees ({@link #toSslException}).
 *
 * <p>Internal. Immutable.
 */
final class TlsFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** The alert to send, or {@code null} when none goes out (the peer's own fatal alert). */
    final transient Alert alert;
    /** Whether the failure is in the record layer rather than the handshake. */
    final boolean recordLayer;

    private TlsFailure(Alert alert, boolean recordLayer, String message, Throwable cause) {
        super(message, cause);
        this.alert = alert;
        this.recordLayer = recordLayer;
    }

    /** A handshake message broke a rule: {@code alert} names which kind. */
    static TlsFailure handshake(Alert alert, String message) {
        return new TlsFailure(alert, false, message, null);
    }

    static TlsFailure handshake(Alert alert, String message, Throwable cause) {
        return new TlsFailure(alert, false, message, cause);
    }

    /** A record broke a rule of the record layer. */
    static TlsFailure record(Alert alert, String message) {
        return new TlsFailure(alert, true, message, null);
    }

    /** The peer sent a fatal alert: nothing is sent back. */
    static TlsFailure peerAlert(String message) {
        return new TlsFailure(null, false, message, null);
    }

    /**
     * The exception the engine's caller gets: {@link SSLProtocolException} for a broken record layer
     * (as the JDK's engine), {@link SSLHandshakeException} for other failures during the handshake,
     * {@link SSLProtocolException} for malformed post-handshake messages, {@link SSLException}
     * otherwise. The message names the alert and the problem.
     */
    SSLException toSslException(boolean handshaking) {
        String text = alert != null ? "(" + alert.rfcName() + ") " + getMessage() : getMessage();
        SSLException e;
        if (recordLayer) {
            e = new SSLProtocolException(text);
        } else if (handshaking) {
            e = new SSLHandshakeException(text);
        } else if (alert == Alert.UNEXPECTED_MESSAGE || alert == Alert.DECODE_ERROR || alert == Alert.ILLEGAL_PARAMETER) {
            e = new SSLProtocolException(text);
        } else {
            e = new SSLException(text);
        }
        if (getCause() != null) {
            e.initCause(getCause());
        }
        return e;
    }
}
