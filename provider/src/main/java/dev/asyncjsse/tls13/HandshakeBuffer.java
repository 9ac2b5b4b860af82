package dev.asyncjsse.tls13;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Handshake bytes received but not yet processed: fragments of a message that spans records, and
 * whole messages queued behind one the handshake is waiting on.
 *
 * <p>Internal. Not thread-safe: owned by one engine.
 */
final class HandshakeBuffer {

    private byte[] buf = new byte[512];
    private int start;
    private int end;

    boolean isEmpty() {
        return start == end;
    }

    void add(ByteBuffer src, int length) {
        ensure(length);
        src.get(buf, end, length);
        end += length;
    }

    void add(byte[] b, int off, int length) {
        ensure(length);
        System.arraycopy(b, off, buf, end, length);
        end += length;
    }

    private void ensure(int more) {
        if (end + more <= buf.length) {
            return;
        }
        int used = end - start;
        if (used + more <= buf.length) {
            System.arraycopy(buf, start, buf, 0, used);
        } else {
            buf = Arrays.copyOfRange(buf, start, Math.max(buf.length * 2, used + more) + start);
        }
        start = 0;
        end = used;
    }

    /** The body length of the message at the front, or -1 while its four-byte header is incomplete. */
    int nextBodyLength() {
        if (end - start < 4) {
            return -1;
        }
        return Bytes.u24(buf, start + 1);
    }

    /** Whether a whole message is at the front. */
    boolean hasMessage() {
        int n = nextBodyLength();
        return n >= 0 && end - start >= 4 + n;
    }

    byte[] array() {
        return buf;
    }

    int messageOffset() {
        return start;
    }

    /** Drops the message at the front, {@code length} bytes with its header. */
    void consume(int length) {
        start += length;
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    /** Wipes and forgets everything. */
    void clear() {
        Arrays.fill(buf, (byte) 0);
        start = 0;
        end = 0;
    }
}
