package dev.asyncjsse.tls13;

import java.util.Arrays;

/**
 * Builds TLS structures into a growable array: fixed-width integers, and vectors whose length prefix
 * is written when they are closed.
 *
 * <p>Internal. Not thread-safe.
 */
final class MessageWriter {

    private byte[] buf;
    private int length;

    MessageWriter(int capacity) {
        buf = new byte[capacity];
    }

    int length() {
        return length;
    }

    byte[] array() {
        return buf;
    }

    void reset() {
        length = 0;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, length);
    }

    private void ensure(int more) {
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }

    MessageWriter u8(int value) {
        ensure(1);
        buf[length++] = (byte) value;
        return this;
    }

    MessageWriter u16(int value) {
        ensure(2);
        Bytes.put16(buf, length, value);
        length += 2;
        return this;
    }

    MessageWriter u24(int value) {
        ensure(3);
        Bytes.put24(buf, length, value);
        length += 3;
        return this;
    }

    MessageWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    MessageWriter bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, length, len);
        length += len;
        return this;
    }

    /** Opens a vector with a length prefix of {@code width} bytes; returns the mark {@link #close} needs. */
    int open(int width) {
        ensure(width);
        int mark = length;
        length += width;
        return mark;
    }

    /** Closes the vector opened at {@code mark} by writing its length. */
    void close(int mark, int width) {
        int n = length - mark - width;
        if (width == 1) {
            buf[mark] = (byte) n;
        } else if (width == 2) {
            Bytes.put16(buf, mark, n);
        } else {
            Bytes.put24(buf, mark, n);
        }
    }

    /** Starts a handshake message of {@code type} (section 4); close it with {@code close(mark, 3)}. */
    int message(int type) {
        u8(type);
        return open(3);
    }
}
