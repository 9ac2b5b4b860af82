package dev.asyncjsse.engine;

import java.nio.ByteBuffer;

/**
 * Peer bytes the front has taken from the application but no protocol engine has processed yet: the
 * records of a buffered handshake, a server's ClientHello before its engine exists, and the rest of
 * a record whose start arrived earlier. The front hands the stash to the engine before any new input,
 * one whole record at a time.
 *
 * <p>Internal. Not thread-safe: used with the front's lock held. The buffer is in read mode (position
 * to limit) and is released when empty.
 */
final class InboundStash {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private ByteBuffer buffer = EMPTY;

    boolean hasRemaining() {
        return buffer.hasRemaining();
    }

    /** The unprocessed bytes, for a protocol engine to consume from. */
    ByteBuffer buffer() {
        return buffer;
    }

    /** Bytes still missing from the record at the stash's position (5 while its header is incomplete). */
    int missingBytes() {
        return TlsRecords.missingBytes(buffer);
    }

    /**
     * Moves the bytes the record at the stash's position still misses from {@code src}, as many as
     * {@code src} has.
     *
     * @return the bytes taken from {@code src}
     */
    int completeFirstRecord(ByteBuffer src) {
        return take(src, Math.min(missingBytes(), src.remaining()));
    }

    /**
     * Moves whole records from {@code src}, after completing a record the stash ends in the middle of.
     * A partial record at the end of {@code src} stays there.
     *
     * @return the bytes taken from {@code src}
     */
    int takeRecords(ByteBuffer src) {
        int taken = take(src, Math.min(TlsRecords.missingAtEnd(buffer), src.remaining()));
        if (TlsRecords.missingAtEnd(buffer) > 0) {
            return taken;
        }
        return taken + take(src, TlsRecords.wholeRecordsLength(src));
    }

    /** Moves {@code n} bytes from {@code src} to the end of the stash. */
    int take(ByteBuffer src, int n) {
        if (n <= 0) {
            return 0;
        }
        if (buffer.capacity() - buffer.limit() < n) {
            int needed = buffer.remaining() + n;
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, Math.min(2 * needed, 2 * TlsRecords.MAX_RECORD_LENGTH)));
            bigger.put(buffer);
            bigger.flip();
            buffer = bigger;
        }
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + n);
        int start = buffer.position();
        int limit = buffer.limit();
        buffer.position(limit);
        buffer.limit(limit + n);
        buffer.put(part);
        buffer.position(start);
        src.position(src.position() + n);
        return n;
    }

    /** Releases the buffer once everything in it was processed. */
    void releaseIfEmpty() {
        if (!buffer.hasRemaining()) {
            buffer = EMPTY;
        }
    }
}
