package dev.asyncjsse.tls13;

/**
 * The states of the server handshake (RFC 8446, appendix A.2, without early data), plus the states in
 * which it waits for something outside the engine. {@link ServerHandshake#moveTo} is the one place
 * where the state changes, and it checks every move against {@link #canMoveTo}.
 */
enum HandshakeState {
    /** Nothing received yet. */
    AWAIT_CLIENT_HELLO,
    /** A HelloRetryRequest went out; the second ClientHello is due. */
    AWAIT_RETRY_HELLO,
    /** A key manager that may wait runs in a job to choose the certificate. */
    AWAIT_CREDENTIALS,
    /** The offloader is saturated; the signature waits to be submitted (EAGAIN). */
    AWAIT_CAPACITY,
    /** The CertificateVerify signature is with the offloader. */
    AWAIT_SIGNATURE,
    /** The server's flight asked for a certificate; the client's Certificate is due. */
    AWAIT_CLIENT_CERTIFICATE,
    /** A trust manager that may wait runs in a job to check the client's chain. */
    AWAIT_CLIENT_TRUST,
    AWAIT_CLIENT_CERTIFICATE_VERIFY,
    AWAIT_CLIENT_FINISHED,
    /** The handshake is complete; only post-handshake messages (KeyUpdate) come. */
    CONNECTED,
    /** A fatal alert was sent or received. */
    FAILED;

    boolean canMoveTo(HandshakeState next) {
        if (next == FAILED) {
            return this != FAILED;
        }
        switch (this) {
            case AWAIT_CLIENT_HELLO:
                return next == AWAIT_RETRY_HELLO || afterHello(next);
            case AWAIT_RETRY_HELLO:
                return afterHello(next);
            case AWAIT_CREDENTIALS:
                return next == AWAIT_CAPACITY || next == AWAIT_SIGNATURE || afterFlight(next);
            case AWAIT_CAPACITY:
                return next == AWAIT_SIGNATURE || afterFlight(next);
            case AWAIT_SIGNATURE:
                return afterFlight(next);
            case AWAIT_CLIENT_CERTIFICATE:
                return next == AWAIT_CLIENT_TRUST || next == AWAIT_CLIENT_CERTIFICATE_VERIFY || next == AWAIT_CLIENT_FINISHED;
            case AWAIT_CLIENT_TRUST:
                return next == AWAIT_CLIENT_CERTIFICATE_VERIFY;
            case AWAIT_CLIENT_CERTIFICATE_VERIFY:
                return next == AWAIT_CLIENT_FINISHED;
            case AWAIT_CLIENT_FINISHED:
                return next == CONNECTED;
            case CONNECTED:
            case FAILED:
                return false;
            default:
                throw new AssertionError(this);
        }
    }

    private static boolean afterHello(HandshakeState next) {
        return next == AWAIT_CREDENTIALS || next == AWAIT_CAPACITY || next == AWAIT_SIGNATURE || afterFlight(next);
    }

    private static boolean afterFlight(HandshakeState next) {
        return next == AWAIT_CLIENT_CERTIFICATE || next == AWAIT_CLIENT_FINISHED;
    }

    /** Whether the handshake waits for something outside the engine in this state. */
    boolean waits() {
        return this == AWAIT_CREDENTIALS || this == AWAIT_CAPACITY || this == AWAIT_SIGNATURE || this == AWAIT_CLIENT_TRUST;
    }

    /** Whether the client's records are protected with its handshake keys. */
    boolean clientEncrypts() {
        return this != AWAIT_CLIENT_HELLO && this != AWAIT_RETRY_HELLO;
    }
}
