package dev.asyncjsse.nio;

/**
 * The socket did not take all encrypted bytes: register {@code OP_WRITE} and repeat the call when
 * writable. A {@link TlsChannel#write} that throws it may already have consumed part of its source
 * (its position shows how much); those bytes are kept encrypted in the channel and go out first on
 * the next call (an empty source buffer is fine for that).
 */
public final class NeedsWriteException extends WouldBlockException {

    /** Creates the exception. */
    public NeedsWriteException() {
        super("the TLS channel needs the socket to be writable");
    }
}
