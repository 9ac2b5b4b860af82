package dev.asyncjsse.conformance;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * A SunJSSE client's ClientHello as bytes, and variants of it that a real client would never send:
 * another server name (with every length around it fixed), another legacy_version, a truncated
 * extensions block, another record between the hello's records, more bytes after it in its record.
 */
final class RawClientHello {

    /** The host name the hello is made for; variants replace it. */
    static final String HOST = "www.example.com";

    private RawClientHello() {}

    static byte[] hello() throws Exception {
        SSLContext sun = SSLContext.getInstance("TLS", "SunJSSE");
        sun.init(null, null, null);
        SSLEngine client = sun.createSSLEngine(HOST, 443);
        client.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(1 << 16);
        client.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /** The hello with its SNI host name replaced by {@code name}. */
    static byte[] withServerName(String name) throws Exception {
        byte[] h = hello();
        byte[] old = HOST.getBytes(StandardCharsets.US_ASCII);
        byte[] replacement = name.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(h, old);
        int delta = replacement.length - old.length;
        byte[] r = new byte[h.length + delta];
        System.arraycopy(h, 0, r, 0, at);
        System.arraycopy(replacement, 0, r, at, replacement.length);
        System.arraycopy(h, at + old.length, r, at + replacement.length, h.length - at - old.length);
        // host name, server name list, extension, record and handshake lengths, then the extensions block
        add16(r, at - 2, delta);
        add16(r, at - 5, delta);
        add16(r, at - 7, delta);
        add16(r, 3, delta);
        add24(r, 6, delta);
        add16(r, extensionsLengthOffset(r), delta);
        return r;
    }

    /** The hello with ClientHello.legacy_version set to {@code version}. */
    static byte[] withLegacyVersion(int version) throws Exception {
        byte[] h = hello();
        h[9] = (byte) (version >> 8);
        h[10] = (byte) version;
        return h;
    }

    /** The hello with its record version set to {@code version}. */
    static byte[] withRecordVersion(int version) throws Exception {
        byte[] h = hello();
        h[1] = (byte) (version >> 8);
        h[2] = (byte) version;
        return h;
    }

    /** The hello cut short by {@code n} bytes, record and message lengths agreeing, the extensions block not. */
    static byte[] truncated(int n) throws Exception {
        byte[] h = hello();
        add16(h, 3, -n);
        add24(h, 6, -n);
        return Arrays.copyOf(h, h.length - n);
    }

    /** The hello's message cut into two handshake records, with {@code record} between them. */
    static byte[] withRecordInside(byte[] record) throws Exception {
        byte[] h = hello();
        int cut = 100;
        int rest = h.length - 5 - cut;
        ByteBuffer out = ByteBuffer.allocate(h.length + 5 + record.length);
        out.put(h, 0, 3).putShort((short) cut).put(h, 5, cut);
        out.put(record);
        out.put(h, 0, 3).putShort((short) rest).put(h, 5 + cut, rest);
        return out.array();
    }

    /** The hello's record with {@code more} appended after the ClientHello, the record length fixed. */
    static byte[] followedInItsRecordBy(byte[] more) throws Exception {
        byte[] h = hello();
        byte[] r = Arrays.copyOf(h, h.length + more.length);
        System.arraycopy(more, 0, r, h.length, more.length);
        add16(r, 3, more.length);
        return r;
    }

    private static int extensionsLengthOffset(byte[] r) {
        int p = 5 + 4 + 2 + 32;
        p += 1 + (r[p] & 0xff);
        p += 2 + u16(r, p);
        p += 1 + (r[p] & 0xff);
        return p;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(haystack, i, i + needle.length), needle)) {
                return i;
            }
        }
        throw new IllegalStateException("the hello does not contain " + new String(needle, StandardCharsets.US_ASCII));
    }

    private static int u16(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private static void add16(byte[] b, int p, int delta) {
        int v = u16(b, p) + delta;
        b[p] = (byte) (v >> 8);
        b[p + 1] = (byte) v;
    }

    private static void add24(byte[] b, int p, int delta) {
        int v = (((b[p] & 0xff) << 16) | u16(b, p + 1)) + delta;
        b[p] = (byte) (v >> 16);
        b[p + 1] = (byte) (v >> 8);
        b[p + 2] = (byte) v;
    }
}
