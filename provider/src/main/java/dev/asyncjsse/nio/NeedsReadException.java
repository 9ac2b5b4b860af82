package dev.asyncjsse.nio;

/** The operation needs bytes from the socket: register {@code OP_READ} and repeat the call when readable. */
public final class NeedsReadException extends WouldBlockException {

    /** Creates the exception. */
    public NeedsReadException() {
        super("the TLS channel needs the socket to be readable");
    }
}
