package dev.asyncjsse.engine;

import java.nio.ByteBuffer;

/**
 * Just enough of the TLS record layer to tell where records start and end, read without moving the
 * buffer's position.
 *
 * <p>Internal.
 */
final class TlsRecords {

    static final int HEADER_LENGTH = 5;
    static final int CHANGE_CIPHER_SPEC = 20;
    static final int ALERT = 21;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;
    /** The largest record a peer may send: 2^14 plus the most expansion TLS 1.2 allows. */
    static final int MAX_RECORD_LENGTH = HEADER_LENGTH + (1 << 14) + 2048;

    private TlsRecords() {}

    /** The content type of the record at the buffer's position, or -1 if there is no byte. */
    static int contentType(ByteBuffer buffer) {
        return buffer.hasRemaining() ? buffer.get(buffer.position()) & 0xff : -1;
    }

    /** The full length of the record at the position, header included, or -1 if the header is incomplete. */
    static int recordLength(ByteBuffer buffer) {
        if (buffer.remaining() < HEADER_LENGTH) {
            return -1;
        }
        int p = buffer.position();
        return HEADER_LENGTH + (((buffer.get(p + 3) & 0xff) << 8) | (buffer.get(p + 4) & 0xff));
    }

    /** True if a whole record starts at the position. */
    static boolean hasCompleteRecord(ByteBuffer buffer) {
        int length = recordLength(buffer);
        return length > 0 && buffer.remaining() >= length;
    }

    /** Bytes still missing for the record at the position; the header counts as 5 when incomplete. */
    static int missingBytes(ByteBuffer buffer) {
        int length = recordLength(buffer);
        if (length < 0) {
            return HEADER_LENGTH - buffer.remaining();
        }
        return Math.max(0, length - buffer.remaining());
    }

    /**
     * The handshake message types in the plaintext handshake record at the position, as a bit mask
     * ({@code 1L << type}), or -1 if the record does not hold whole messages (a fragment).
     */
    static long handshakeTypeMask(ByteBuffer buffer) {
        int start = buffer.position();
        int end = start + recordLength(buffer);
        int p = start + HEADER_LENGTH;
        long mask = 0;
        while (p + 4 <= end) {
            int type = buffer.get(p) & 0xff;
            int length = ((buffer.get(p + 1) & 0xff) << 16) | ((buffer.get(p + 2) & 0xff) << 8) | (buffer.get(p + 3) & 0xff);
            p += 4 + length;
            mask |= 1L << (type & 63);
        }
        return p == end && mask != 0 ? mask : -1;
    }

    /**
     * Bytes missing from the last record of the buffer (from its position), 0 if the buffer ends on a
     * record boundary; the header counts as 5 when incomplete.
     */
    static int missingAtEnd(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        while (view.hasRemaining()) {
            int length = recordLength(view);
            if (length < 0 || length > view.remaining()) {
                return missingBytes(view);
            }
            view.position(view.position() + length);
        }
        return 0;
    }

    /** The length of the whole records at the buffer's position, a partial one at the end left out. */
    static int wholeRecordsLength(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        int total = 0;
        while (hasCompleteRecord(view)) {
            int length = recordLength(view);
            total += length;
            view.position(view.position() + length);
        }
        return total;
    }

    /**
     * How many leading bytes of {@code buffer} are handshake records: whole records of the content types
     * a handshake carries, then a partial one at the end if its type (when known) is one.
     */
    static int handshakePrefixLength(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        int taken = 0;
        while (view.hasRemaining()) {
            if (!isHandshakePhaseType(contentType(view))) {
                break;
            }
            int length = recordLength(view);
            if (length < 0 || length > view.remaining()) {
                taken += view.remaining();
                break;
            }
            taken += length;
            view.position(view.position() + length);
        }
        return taken;
    }

    /** True for the content types TLS 1.2 and 1.3 define (20 to 23, and 24, heartbeat). */
    static boolean isKnownType(int type) {
        return type >= CHANGE_CIPHER_SPEC && type <= APPLICATION_DATA + 1;
    }

    /** True for content types a handshake can carry before it completes. */
    static boolean isHandshakePhaseType(int type) {
        return type == CHANGE_CIPHER_SPEC || type == ALERT || type == HANDSHAKE;
    }
}
