package dev.asyncjsse.nio;

import dev.asyncjsse.engine.TlsAlert;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads a TLS ClientHello from buffered bytes without consuming them, so a server can pick an
 * {@code SSLContext} (virtual hosting by SNI, ALPN, protocol version) or tell TLS from plain text
 * (port unification) before it creates an engine.
 *
 * <p>It understands a ClientHello split over several handshake records and over several reads: call
 * {@link #explore(ByteBuffer)} again with more bytes after {@link ClientHello.Status#NEED_MORE_BYTES}.
 * It reads only between the buffer's position and limit, never moves them, never throws on bad input
 * and keeps no state: all methods are static and thread-safe (the buffer must not change during the
 * call).
 *
 * <p>Once it answers {@link ClientHello.Status#COMPLETE}, hand the same bytes to the engine, for
 * example with {@link dev.asyncjsse.AsyncSSLEngine#beginHandshake(ByteBuffer)}.
 */
public final class ClientHelloExplorer {

    /** Largest record payload TLS allows for plaintext records (2^14). */
    static final int MAX_PLAINTEXT = 1 << 14;
    /** Largest ClientHello body accepted; real ones, post-quantum key shares included, are far smaller. */
    static final int MAX_HELLO = 1 << 17;

    private static final int ALERT = 21;
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_ALPN = 16;
    private static final int EXT_SUPPORTED_VERSIONS = 43;

    private ClientHelloExplorer() {}

    /**
     * Explores the bytes from {@code buffer.position()} to {@code buffer.limit()}.
     *
     * @param buffer the bytes read so far; its position, limit and content are not changed
     * @return the status, and the ClientHello's fields when it is complete; never {@code null}
     * @throws NullPointerException if {@code buffer} is {@code null}
     */
    public static ClientHello explore(ByteBuffer buffer) {
        int start = buffer.position();
        int limit = buffer.limit();
        if (limit == start) {
            return ClientHello.needMore(5, "no bytes yet");
        }
        int first = buffer.get(start) & 0xff;
        if (first != HANDSHAKE) {
            if ((first & 0x80) != 0 && limit - start >= 3 && (buffer.get(start + 2) & 0xff) == 1) {
                return ClientHello.notTls("an SSLv2-compatible ClientHello (first byte 0x"
                        + hex2(first) + "); SSLv2-format hellos are not supported", TlsAlert.UNEXPECTED_MESSAGE);
            }
            // RFC 8446 section 5: an unexpected record type gets unexpected_message; the client's own
            // alert is never answered (section 6.2)
            return ClientHello.notTls("the first byte is 0x" + hex2(first) + describe(first)
                    + ", not 0x16 (a TLS handshake record)", first == ALERT ? -1 : TlsAlert.UNEXPECTED_MESSAGE);
        }
        if (limit - start >= 2 && (buffer.get(start + 1) & 0xff) != 3) {
            return ClientHello.notTls("the record starts with 0x16 but its major version is "
                    + (buffer.get(start + 1) & 0xff) + ", not 3", TlsAlert.PROTOCOL_VERSION);
        }

        byte[] message = new byte[64];
        int messageSize = 0;
        int messageLength = -1; // header (4) + body, once known
        int recordVersion = -1;
        int p = start;
        while (true) {
            int have = limit - p;
            if (have < 5) {
                if (have > 0 && p > start) {
                    ClientHello bad = checkRecordStart(buffer, p, start, limit);
                    if (bad != null) {
                        return bad;
                    }
                }
                return ClientHello.needMore(5 - have, p == start
                        ? "the first record header is incomplete (" + have + " of 5 bytes)"
                        : "the ClientHello continues in another record whose header is incomplete (" + have + " of 5 bytes)");
            }
            if (p > start) {
                ClientHello bad = checkRecordStart(buffer, p, start, limit);
                if (bad != null) {
                    return bad;
                }
            } else {
                recordVersion = u16(buffer, p + 1);
            }
            int length = u16(buffer, p + 3);
            if (length == 0) {
                return ClientHello.malformed("the handshake record at offset " + (p - start) + " is empty",
                        TlsAlert.DECODE_ERROR);
            }
            if (length > MAX_PLAINTEXT) {
                // RFC 8446 section 5.1
                return ClientHello.malformed("the handshake record at offset " + (p - start) + " claims " + length
                        + " bytes; plaintext records hold at most " + MAX_PLAINTEXT, TlsAlert.RECORD_OVERFLOW);
            }
            int available = Math.min(length, have - 5);
            if (messageSize + available > message.length) {
                message = Arrays.copyOf(message, Math.max(message.length * 2, messageSize + available));
            }
            for (int i = 0; i < available; i++) {
                message[messageSize + i] = buffer.get(p + 5 + i);
            }
            messageSize += available;
            if (messageLength < 0 && messageSize >= 1 && (message[0] & 0xff) != CLIENT_HELLO) {
                return ClientHello.malformed("the first handshake message has type " + (message[0] & 0xff)
                        + ", not ClientHello (1)", TlsAlert.UNEXPECTED_MESSAGE);
            }
            if (messageLength < 0 && messageSize >= 4) {
                int bodyLength = ((message[1] & 0xff) << 16) | ((message[2] & 0xff) << 8) | (message[3] & 0xff);
                if (bodyLength > MAX_HELLO) {
                    return ClientHello.malformed("the ClientHello claims " + bodyLength + " bytes; at most " + MAX_HELLO
                            + " are accepted", TlsAlert.DECODE_ERROR);
                }
                if (bodyLength < 38) {
                    return ClientHello.malformed("the ClientHello claims " + bodyLength
                            + " bytes, fewer than its fixed fields need (38)", TlsAlert.DECODE_ERROR);
                }
                messageLength = 4 + bodyLength;
            }
            if (available < length) {
                int missing = length - available;
                if (messageLength > 0 && messageSize > messageLength) {
                    return unaligned(message, messageLength, "the record at offset " + (p - start)
                            + " carries bytes after the ClientHello");
                }
                return ClientHello.needMore(missing, "the record at offset " + (p - start) + " is incomplete ("
                        + available + " of " + length + " payload bytes)");
            }
            p += 5 + length;
            if (messageLength > 0 && messageSize >= messageLength) {
                if (messageSize > messageLength) {
                    return unaligned(message, messageLength, "the record ending at offset " + (p - start) + " carries "
                            + (messageSize - messageLength) + " bytes after the ClientHello");
                }
                return parse(message, messageLength, p - start, recordVersion);
            }
        }
    }

    private static ClientHello checkRecordStart(ByteBuffer buffer, int p, int start, int limit) {
        int type = buffer.get(p) & 0xff;
        if (type != HANDSHAKE) {
            // RFC 8446 section 5.1: no other record may come between the records of a handshake message.
            // The client's own alert is not answered (section 6.2): the engine reads it.
            return ClientHello.malformed("the record at offset " + (p - start) + " has content type " + type
                    + " before the ClientHello is complete; only handshake records (22) may carry it",
                    type == ALERT ? -1 : TlsAlert.UNEXPECTED_MESSAGE);
        }
        if (limit - p >= 2 && (buffer.get(p + 1) & 0xff) != 3) {
            return ClientHello.malformed("the record at offset " + (p - start) + " has major version "
                    + (buffer.get(p + 1) & 0xff) + ", not 3", TlsAlert.PROTOCOL_VERSION);
        }
        return null;
    }

    /**
     * A ClientHello followed by more bytes in its last record. If the ClientHello itself is sound, it
     * does not end at a record boundary, which RFC 8446 section 5.1 requires of it (unexpected_message);
     * otherwise what is wrong with it (decode_error).
     */
    private static ClientHello unaligned(byte[] message, int messageLength, String what) {
        ClientHello hello = parse(message, messageLength, 0, -1);
        if (!hello.isComplete()) {
            return ClientHello.malformed(what + ", and " + hello.message(), hello.alert());
        }
        return ClientHello.malformed(what + "; a ClientHello must end at a record boundary", TlsAlert.UNEXPECTED_MESSAGE);
    }

    private static ClientHello parse(byte[] m, int messageLength, int totalLength, int recordVersion) {
        Reader r = new Reader(m, 4, messageLength);
        try {
            int legacyVersion = r.u16("legacy_version");
            r.skip(32, "random");
            int sessionIdLength = r.u8("legacy_session_id length");
            if (sessionIdLength > 32) {
                throw new Malformed("legacy_session_id is " + sessionIdLength + " bytes; at most 32 are allowed");
            }
            r.skip(sessionIdLength, "legacy_session_id");
            int suitesLength = r.u16("cipher_suites length");
            if (suitesLength < 2 || suitesLength % 2 != 0) {
                throw new Malformed("cipher_suites length " + suitesLength + " is not a positive even number");
            }
            r.need(suitesLength, "cipher_suites");
            List<Integer> suites = new ArrayList<>();
            for (int i = 0; i < suitesLength; i += 2) {
                suites.add(r.u16("cipher suite"));
            }
            int compressionLength = r.u8("legacy_compression_methods length");
            if (compressionLength < 1) {
                throw new Malformed("legacy_compression_methods is empty");
            }
            r.skip(compressionLength, "legacy_compression_methods");
            List<Integer> versions = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<String> alpn = new ArrayList<>();
            if (r.remaining() > 0) {
                int extensionsLength = r.u16("extensions length");
                if (extensionsLength != r.remaining()) {
                    throw new Malformed("extensions length " + extensionsLength + " does not match the "
                            + r.remaining() + " bytes left in the ClientHello");
                }
                List<Integer> seen = new ArrayList<>();
                while (r.remaining() > 0) {
                    int type = r.u16("extension type");
                    int length = r.u16("extension length");
                    r.need(length, "extension " + type);
                    if (seen.contains(type)) {
                        throw new Malformed("extension " + type + " appears twice");
                    }
                    seen.add(type);
                    Reader ext = r.sub(length);
                    switch (type) {
                        case EXT_SERVER_NAME:
                            serverNames(ext, names);
                            break;
                        case EXT_ALPN:
                            alpn(ext, alpn);
                            break;
                        case EXT_SUPPORTED_VERSIONS:
                            supportedVersions(ext, versions);
                            break;
                        default:
                            break;
                    }
                }
            }
            return ClientHello.complete(totalLength, recordVersion, legacyVersion, versions, suites, names, alpn);
        } catch (Malformed e) {
            // RFC 8446 section 6.2: a message that cannot be parsed gets decode_error
            return ClientHello.malformed("bad ClientHello: " + e.getMessage(), TlsAlert.DECODE_ERROR);
        }
    }

    private static void serverNames(Reader ext, List<String> names) throws Malformed {
        if (ext.remaining() == 0) {
            return; // a server's empty acknowledgement; tolerated from a client
        }
        int listLength = ext.u16("server_name list length");
        if (listLength != ext.remaining() || listLength == 0) {
            throw new Malformed("server_name list length " + listLength + " does not match its extension ("
                    + ext.remaining() + " bytes)");
        }
        while (ext.remaining() > 0) {
            int nameType = ext.u8("server_name type");
            int length = ext.u16("server_name length");
            byte[] name = ext.bytes(length, "server_name");
            if (nameType == 0) {
                if (length == 0) {
                    throw new Malformed("empty host_name in server_name");
                }
                for (byte b : name) {
                    if (b <= 0x20 || b >= 0x7f) {
                        throw new Malformed("host_name in server_name has a byte 0x" + hex2(b & 0xff)
                                + " that is not printable ASCII");
                    }
                }
                names.add(new String(name, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT));
            }
        }
    }

    private static void alpn(Reader ext, List<String> alpn) throws Malformed {
        int listLength = ext.u16("ALPN list length");
        if (listLength != ext.remaining() || listLength < 2) {
            throw new Malformed("ALPN list length " + listLength + " does not match its extension ("
                    + ext.remaining() + " bytes)");
        }
        while (ext.remaining() > 0) {
            int length = ext.u8("ALPN protocol length");
            if (length == 0) {
                throw new Malformed("empty ALPN protocol name");
            }
            alpn.add(new String(ext.bytes(length, "ALPN protocol"), StandardCharsets.ISO_8859_1));
        }
    }

    private static void supportedVersions(Reader ext, List<Integer> versions) throws Malformed {
        int listLength = ext.u8("supported_versions length");
        if (listLength != ext.remaining() || listLength < 2 || listLength % 2 != 0) {
            throw new Malformed("supported_versions length " + listLength + " does not match its extension ("
                    + ext.remaining() + " bytes) or is not a positive even number");
        }
        while (ext.remaining() > 0) {
            versions.add(ext.u16("supported version"));
        }
    }

    private static int u16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xff) << 8) | (b.get(at + 1) & 0xff);
    }

    private static String hex2(int b) {
        return String.format(Locale.ROOT, "%02X", b);
    }

    private static String describe(int first) {
        if (first >= 'A' && first <= 'Z') {
            return " ('" + (char) first + "', plain text such as HTTP)";
        }
        return "";
    }

    /** Bounds-checked reader over a ClientHello; offsets in messages count from the message start. */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        int remaining() {
            return end - pos;
        }

        void need(int n, String field) throws Malformed {
            if (n > end - pos) {
                throw new Malformed(field + " at offset " + pos + " needs " + n + " bytes but only " + (end - pos) + " remain");
            }
        }

        int u8(String field) throws Malformed {
            need(1, field);
            return b[pos++] & 0xff;
        }

        int u16(String field) throws Malformed {
            need(2, field);
            int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        void skip(int n, String field) throws Malformed {
            need(n, field);
            pos += n;
        }

        byte[] bytes(int n, String field) throws Malformed {
            need(n, field);
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        Reader sub(int n) {
            Reader r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }
    }

    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
