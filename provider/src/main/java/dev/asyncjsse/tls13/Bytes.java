package dev.asyncjsse.tls13;

/**
 * Big-endian reads and writes of the integer widths TLS uses, on byte arrays.
 *
 * <p>Internal. Stateless.
 */
final class Bytes {

    static final byte[] EMPTY = new byte[0];

    private Bytes() {}

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static int u24(byte[] b, int at) {
        return ((b[at] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff);
    }

    static void put16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    static void put24(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 16);
        b[at + 1] = (byte) (value >>> 8);
        b[at + 2] = (byte) value;
    }
}
