package dev.asyncjsse.tls13;

/**
 * The record protection a connection currently uses: one cipher for what it reads, and the two it
 * writes with (the handshake keys for the server's flight, the application keys after it). The
 * handshake installs them; the record layer uses them.
 *
 * <p>Internal. Not thread-safe: owned by one engine.
 */
final class TrafficKeys implements OutboundQueue.Keys {

    /** Protection of the records read now; {@code null} while the client still sends plaintext. */
    RecordCipher read;
    RecordCipher handshakeWrite;
    RecordCipher applicationWrite;

    @Override
    public RecordCipher writeCipher(int epoch) {
        switch (epoch) {
            case OutboundQueue.HANDSHAKE_KEYS:
                return handshakeWrite;
            case OutboundQueue.APPLICATION_KEYS:
                return applicationWrite;
            default:
                throw new IllegalArgumentException("no write cipher for epoch " + epoch);
        }
    }
}
