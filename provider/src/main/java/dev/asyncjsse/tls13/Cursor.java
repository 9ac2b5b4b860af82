package dev.asyncjsse.tls13;

import java.util.Arrays;

/**
 * Reads TLS structures from a range of an array. Every read checks the range: running past the end
 * of a vector is a {@code decode_error} (RFC 8446, section 6.2), naming {@code what} is being read.
 *
 * <p>Internal. Not thread-safe; cheap to create.
 */
final class Cursor {

    private final byte[] buf;
    private final String what;
    private int pos;
    private final int end;

    Cursor(byte[] buf, int off, int len, String what) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.what = what;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    boolean hasRemaining() {
        return pos < end;
    }

    byte[] array() {
        return buf;
    }

    private void need(int n) throws TlsFailure {
        if (n > end - pos) {
            throw TlsFailure.handshake(Alert.DECODE_ERROR, what + " is truncated");
        }
    }

    int u8() throws TlsFailure {
        need(1);
        return buf[pos++] & 0xff;
    }

    int u16() throws TlsFailure {
        need(2);
        int v = Bytes.u16(buf, pos);
        pos += 2;
        return v;
    }

    int u24() throws TlsFailure {
        need(3);
        int v = Bytes.u24(buf, pos);
        pos += 3;
        return v;
    }

    byte[] bytes(int n) throws TlsFailure {
        need(n);
        byte[] r = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return r;
    }

    void skip(int n) throws TlsFailure {
        need(n);
        pos += n;
    }

    /**
     * The vector with a {@code width}-byte length prefix at the position, as a cursor of its own; the
     * length must lie within {@code [min, max]}.
     */
    Cursor vector(int width, int min, int max, String name) throws TlsFailure {
        int n = width == 1 ? u8() : width == 2 ? u16() : u24();
        if (n < min || n > max) {
            throw TlsFailure.handshake(Alert.DECODE_ERROR, name + " has length " + n + ", outside " + min + ".." + max);
        }
        need(n);
        Cursor c = new Cursor(buf, pos, n, name);
        pos += n;
        return c;
    }

    /** The bytes of a vector with a {@code width}-byte prefix and length within {@code [min, max]}. */
    byte[] opaque(int width, int min, int max, String name) throws TlsFailure {
        Cursor c = vector(width, min, max, name);
        return Arrays.copyOfRange(buf, c.pos, c.end);
    }

    /** Fails with {@code decode_error} unless everything was read. */
    void expectEnd() throws TlsFailure {
        if (pos != end) {
            throw TlsFailure.handshake(Alert.DECODE_ERROR, what + " has " + (end - pos) + " trailing bytes");
        }
    }
}
