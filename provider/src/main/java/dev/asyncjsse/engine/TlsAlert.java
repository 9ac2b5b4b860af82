package dev.asyncjsse.engine;

import java.nio.ByteBuffer;

/**
 * TLS alert descriptions (RFC 8446 section 6) that AsyncJSSE sends itself, and the plaintext record
 * of a fatal alert, for alerts sent before a protocol engine exists or where Bouncy Castle sends none.
 *
 * <p>Internal: shared by the engine front and {@code dev.asyncjsse.nio.TlsChannel}; not part of the
 * public API. Stateless and thread-safe.
 */
public final class TlsAlert {

    public static final int UNEXPECTED_MESSAGE = 10;
    public static final int RECORD_OVERFLOW = 22;
    public static final int HANDSHAKE_FAILURE = 40;
    public static final int ILLEGAL_PARAMETER = 47;
    public static final int DECODE_ERROR = 50;
    public static final int PROTOCOL_VERSION = 70;
    public static final int UNRECOGNIZED_NAME = 112;

    /** The length of a plaintext alert record: a 5-byte header, level and description. */
    public static final int RECORD_LENGTH = 7;

    private static final int ALERT_CONTENT_TYPE = 21;
    private static final int FATAL = 2;

    private TlsAlert() {}

    /**
     * Writes a fatal alert record into {@code dst} (which must have {@link #RECORD_LENGTH} bytes left).
     * Its record version is TLS 1.2's, as RFC 8446 section 5.1 prescribes for all records but a
     * ClientHello.
     *
     * @param dst where the record goes
     * @param description the alert description
     */
    public static void putFatal(ByteBuffer dst, int description) {
        dst.put(new byte[] {ALERT_CONTENT_TYPE, 3, 3, 0, 2, FATAL, (byte) description});
    }

    /**
     * A fatal alert record in a new buffer, ready to read.
     *
     * @param description the alert description
     * @return the record
     */
    public static ByteBuffer fatal(int description) {
        ByteBuffer record = ByteBuffer.allocate(RECORD_LENGTH);
        putFatal(record, description);
        return record.flip();
    }
}
