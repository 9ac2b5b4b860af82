package dev.asyncjsse.tls13;

import dev.asyncjsse.engine.HostNames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIServerName;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.tls.ExtensionType;

/**
 * A ClientHello (RFC 8446, section 4.1.2), parsed strictly: every vector within its bounds, no
 * trailing bytes, no extension twice (section 4.2), {@code pre_shared_key} last (section 4.2.11).
 * Structural faults are {@code decode_error}; rule violations {@code illegal_parameter}.
 *
 * <p>Internal. Immutable after parsing; the arrays are not copied on the way out.
 */
final class ClientHello {

    static final int TLS13 = 0x0304;

    /** The whole message, handshake header included: what the transcript hashes. */
    final byte[] message;
    final byte[] sessionId;
    final int[] cipherSuites;
    final int[] supportedVersions;
    final int[] supportedGroups;
    /** The client's shares as {@code {group, share}} pairs, in the client's order, or {@code null}. */
    final List<KeyShare> keyShares;
    final int[] signatureAlgorithms;
    final int[] signatureAlgorithmsCert;
    final List<SNIServerName> serverNames;
    /** The ALPN protocol names, or {@code null} without the extension. */
    final List<String> applicationProtocols;
    final X500Principal[] certificateAuthorities;
    final int[] pskKeyExchangeModes;
    final boolean preSharedKey;
    /** The offered PSK identities in the client's order, or {@code null} without {@code pre_shared_key}. */
    final List<PskIdentity> pskIdentities;
    /** The binders, one per identity in the same order, or {@code null}. */
    final List<byte[]> pskBinders;
    /**
     * Where the binders list (its length prefix) starts in {@link #message}: the ClientHello up to here
     * is the truncated one the binders are computed over (section 4.2.11.2); 0 without binders.
     */
    final int bindersStart;
    final boolean earlyData;
    /** Where the extensions block starts in {@link #message} (its length prefix). */
    private final int extensionsStart;
    private final List<int[]> extensions;

    /** One entry of {@code pre_shared_key}'s identities (section 4.2.11). */
    static final class PskIdentity {
        final byte[] identity;
        /** The obfuscated ticket age, an unsigned 32-bit value. */
        final long obfuscatedAge;

        PskIdentity(byte[] identity, long obfuscatedAge) {
            this.identity = identity;
            this.obfuscatedAge = obfuscatedAge;
        }
    }

    /** One entry of {@code key_share}. */
    static final class KeyShare {
        final int group;
        final byte[] share;

        KeyShare(int group, byte[] share) {
            this.group = group;
            this.share = share;
        }
    }

    private ClientHello(Builder b) {
        this.message = b.message;
        this.sessionId = b.sessionId;
        this.cipherSuites = b.cipherSuites;
        this.supportedVersions = b.supportedVersions;
        this.supportedGroups = b.supportedGroups;
        this.keyShares = b.keyShares;
        this.signatureAlgorithms = b.signatureAlgorithms;
        this.signatureAlgorithmsCert = b.signatureAlgorithmsCert;
        this.serverNames = b.serverNames;
        this.applicationProtocols = b.applicationProtocols;
        this.certificateAuthorities = b.certificateAuthorities;
        this.pskKeyExchangeModes = b.pskKeyExchangeModes;
        this.preSharedKey = b.preSharedKey;
        this.pskIdentities = b.pskIdentities;
        this.pskBinders = b.pskBinders;
        this.bindersStart = b.bindersStart;
        this.earlyData = b.earlyData;
        this.extensionsStart = b.extensionsStart;
        this.extensions = b.extensions;
    }

    private static final class Builder {
        byte[] message;
        byte[] sessionId;
        int[] cipherSuites;
        int[] supportedVersions;
        int[] supportedGroups;
        List<KeyShare> keyShares;
        int[] signatureAlgorithms;
        int[] signatureAlgorithmsCert;
        List<SNIServerName> serverNames = List.of();
        List<String> applicationProtocols;
        X500Principal[] certificateAuthorities;
        int[] pskKeyExchangeModes;
        boolean preSharedKey;
        List<PskIdentity> pskIdentities;
        List<byte[]> pskBinders;
        int bindersStart;
        boolean earlyData;
        int extensionsStart;
        List<int[]> extensions = new ArrayList<>();
    }

    boolean offersTls13() {
        return supportedVersions != null && contains(supportedVersions, TLS13);
    }

    static boolean contains(int[] values, int value) {
        if (values != null) {
            for (int v : values) {
                if (v == value) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Parses {@code message}, a whole handshake message of type client_hello (header included). The
     * array is kept, not copied.
     */
    static ClientHello parse(byte[] message) throws TlsFailure {
        Builder b = new Builder();
        b.message = message;
        Cursor c = new Cursor(message, 4, message.length - 4, "ClientHello");
        c.u16(); // legacy_version: ignored when supported_versions is present (section 4.2.1)
        c.skip(32);
        b.sessionId = c.opaque(1, 0, 32, "legacy_session_id");
        Cursor suites = c.vector(2, 2, 0xfffe, "cipher_suites");
        if (suites.remaining() % 2 != 0) {
            throw TlsFailure.handshake(Alert.DECODE_ERROR, "cipher_suites has an odd length");
        }
        b.cipherSuites = u16List(suites);
        byte[] compression = c.opaque(1, 1, 255, "legacy_compression_methods");
        if (compression.length != 1 || compression[0] != 0) {
            // Section 4.1.2: a TLS 1.3 ClientHello offers only the null compression method.
            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "a TLS 1.3 ClientHello must offer only null compression");
        }
        b.extensionsStart = c.position();
        Cursor exts = c.vector(2, 8, 0xffff, "extensions");
        c.expectEnd();
        long seen = 0;
        List<Integer> seenHigh = new ArrayList<>();
        while (exts.hasRemaining()) {
            int type = exts.u16();
            Cursor data = exts.vector(2, 0, 0xffff, "extension " + type);
            if (type < 64) {
                if ((seen & (1L << type)) != 0) {
                    throw duplicate(type);
                }
                seen |= 1L << type;
            } else {
                if (seenHigh.contains(type)) {
                    throw duplicate(type);
                }
                seenHigh.add(type);
            }
            if (b.preSharedKey) {
                throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "pre_shared_key is not the last extension");
            }
            b.extensions.add(new int[] {type, data.position() - 4, data.position() + data.remaining()});
            parseExtension(b, type, data);
        }
        return new ClientHello(b);
    }

    private static TlsFailure duplicate(int type) {
        return TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "extension " + ExtensionType.getText(type) + " appears twice");
    }

    private static void parseExtension(Builder b, int type, Cursor data) throws TlsFailure {
        switch (type) {
            case ExtensionType.supported_versions: {
                Cursor v = data.vector(1, 2, 254, "supported_versions");
                if (v.remaining() % 2 != 0) {
                    throw TlsFailure.handshake(Alert.DECODE_ERROR, "supported_versions has an odd length");
                }
                b.supportedVersions = u16List(v);
                break;
            }
            case ExtensionType.supported_groups: {
                Cursor v = data.vector(2, 2, 0xffff, "supported_groups");
                if (v.remaining() % 2 != 0) {
                    throw TlsFailure.handshake(Alert.DECODE_ERROR, "supported_groups has an odd length");
                }
                b.supportedGroups = u16List(v);
                break;
            }
            case ExtensionType.key_share: {
                Cursor v = data.vector(2, 0, 0xffff, "key_share");
                List<KeyShare> shares = new ArrayList<>(2);
                while (v.hasRemaining()) {
                    int group = v.u16();
                    byte[] share = v.opaque(2, 1, 0xffff, "key_exchange");
                    for (KeyShare s : shares) {
                        if (s.group == group) {
                            // section 4.2.8: at most one share per group
                            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "key_share offers group " + group + " twice");
                        }
                    }
                    shares.add(new KeyShare(group, share));
                }
                b.keyShares = shares;
                break;
            }
            case ExtensionType.signature_algorithms:
                b.signatureAlgorithms = schemes(data, "signature_algorithms");
                break;
            case ExtensionType.signature_algorithms_cert:
                b.signatureAlgorithmsCert = schemes(data, "signature_algorithms_cert");
                break;
            case ExtensionType.server_name:
                b.serverNames = serverNames(data);
                break;
            case ExtensionType.application_layer_protocol_negotiation: {
                Cursor v = data.vector(2, 2, 0xffff, "application_layer_protocol_negotiation");
                List<String> names = new ArrayList<>(4);
                while (v.hasRemaining()) {
                    // RFC 7301, section 3.1: empty names are not allowed
                    names.add(new String(v.opaque(1, 1, 255, "ProtocolName"), StandardCharsets.ISO_8859_1));
                }
                b.applicationProtocols = names;
                break;
            }
            case ExtensionType.certificate_authorities: {
                Cursor v = data.vector(2, 3, 0xffff, "certificate_authorities");
                List<X500Principal> names = new ArrayList<>();
                while (v.hasRemaining()) {
                    byte[] dn = v.opaque(2, 1, 0xffff, "DistinguishedName");
                    try {
                        names.add(new X500Principal(dn));
                    } catch (IllegalArgumentException e) {
                        throw TlsFailure.handshake(Alert.DECODE_ERROR, "certificate_authorities holds a malformed name", e);
                    }
                }
                b.certificateAuthorities = names.toArray(new X500Principal[0]);
                break;
            }
            case ExtensionType.psk_key_exchange_modes: {
                Cursor v = data.vector(1, 1, 255, "psk_key_exchange_modes");
                int[] modes = new int[v.remaining()];
                for (int i = 0; i < modes.length; i++) {
                    modes[i] = v.u8();
                }
                b.pskKeyExchangeModes = modes;
                break;
            }
            case ExtensionType.pre_shared_key: {
                // section 4.2.11: identities<7..2^16-1>, binders<33..2^16-1>, one binder per identity
                Cursor ids = data.vector(2, 7, 0xffff, "PskIdentity list");
                List<PskIdentity> identities = new ArrayList<>(1);
                while (ids.hasRemaining()) {
                    byte[] identity = ids.opaque(2, 1, 0xffff, "PskIdentity");
                    long age = ((long) ids.u16() << 16) | ids.u16();
                    identities.add(new PskIdentity(identity, age));
                }
                b.bindersStart = data.position();
                Cursor binders = data.vector(2, 33, 0xffff, "PskBinderEntry list");
                List<byte[]> entries = new ArrayList<>(identities.size());
                while (binders.hasRemaining()) {
                    entries.add(binders.opaque(1, 32, 255, "PskBinderEntry"));
                }
                if (entries.size() != identities.size()) {
                    throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER,
                            "pre_shared_key has " + identities.size() + " identities but " + entries.size() + " binders");
                }
                b.pskIdentities = identities;
                b.pskBinders = entries;
                b.preSharedKey = true;
                break;
            }
            case ExtensionType.early_data:
                b.earlyData = true;
                break;
            default:
                // not needed to serve the connection; section 4.2 lets the server ignore it
                return;
        }
        data.expectEnd();
    }

    private static int[] schemes(Cursor data, String name) throws TlsFailure {
        Cursor v = data.vector(2, 2, 0xfffe, name);
        if (v.remaining() % 2 != 0) {
            throw TlsFailure.handshake(Alert.DECODE_ERROR, name + " has an odd length");
        }
        return u16List(v);
    }

    private static List<SNIServerName> serverNames(Cursor data) throws TlsFailure {
        Cursor v = data.vector(2, 1, 0xffff, "server_name_list");
        List<SNIServerName> names = new ArrayList<>(1);
        while (v.hasRemaining()) {
            int type = v.u8();
            byte[] name = v.opaque(2, 1, 0xffff, "HostName");
            for (SNIServerName n : names) {
                if (n.getType() == type) {
                    // RFC 6066, section 3: one name per name_type
                    throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "server_name lists name type " + type + " twice");
                }
            }
            if (type == 0) {
                try {
                    names.add(HostNames.of(name));
                } catch (IllegalArgumentException e) {
                    throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "server_name is not a valid host name: " + e.getMessage(), e);
                }
            } else {
                names.add(new OtherServerName(type, name));
            }
        }
        return List.copyOf(names);
    }

    /** A server name of a type other than host_name, kept as its bytes. */
    private static final class OtherServerName extends SNIServerName {
        OtherServerName(int type, byte[] encoded) {
            super(type, encoded);
        }
    }

    private static int[] u16List(Cursor v) throws TlsFailure {
        int[] r = new int[v.remaining() / 2];
        for (int i = 0; i < r.length; i++) {
            r[i] = v.u16();
        }
        return r;
    }

    /**
     * Whether the handshake record at {@code record}'s position holds a ClientHello with a
     * {@code pre_shared_key} extension, looked up leniently without parsing the rest: {@code false}
     * when the record or the hello is incomplete or malformed (the strict parse judges it later).
     * Nothing of {@code record} is consumed.
     */
    static boolean offersPsk(java.nio.ByteBuffer record) {
        int p = record.position();
        int end = record.limit();
        // record header (5), handshake header (4), legacy_version (2), random (32)
        p += 5 + 4 + 2 + 32;
        if (p >= end) {
            return false;
        }
        p += 1 + (record.get(p) & 0xff); // legacy_session_id
        if (p + 2 > end) {
            return false;
        }
        p += 2 + (((record.get(p) & 0xff) << 8) | (record.get(p + 1) & 0xff)); // cipher_suites
        if (p >= end) {
            return false;
        }
        p += 1 + (record.get(p) & 0xff); // legacy_compression_methods
        if (p + 2 > end) {
            return false;
        }
        int extsEnd = Math.min(end, p + 2 + (((record.get(p) & 0xff) << 8) | (record.get(p + 1) & 0xff)));
        p += 2;
        while (p + 4 <= extsEnd) {
            int type = ((record.get(p) & 0xff) << 8) | (record.get(p + 1) & 0xff);
            if (type == ExtensionType.pre_shared_key) {
                return true;
            }
            p += 4 + (((record.get(p + 2) & 0xff) << 8) | (record.get(p + 3) & 0xff));
        }
        return false;
    }

    /** The share this hello offers for {@code group}, or {@code null}. */
    KeyShare keyShare(int group) {
        if (keyShares != null) {
            for (KeyShare s : keyShares) {
                if (s.group == group) {
                    return s;
                }
            }
        }
        return null;
    }

    /**
     * Whether this second ClientHello is {@code first} repeated as section 4.1.2 requires after a
     * HelloRetryRequest: everything identical except {@code key_share}, {@code early_data} (which
     * must be gone), {@code cookie}, {@code pre_shared_key} and {@code padding}.
     *
     * @return {@code null} if it is, otherwise what differs
     */
    String differenceAfterRetry(ClientHello first) {
        if (!Arrays.equals(message, 4, extensionsStart, first.message, 4, first.extensionsStart)) {
            return "its fields before the extensions differ";
        }
        if (earlyData) {
            return "it offers early_data";
        }
        List<int[]> mine = comparable(this);
        List<int[]> theirs = comparable(first);
        if (mine.size() != theirs.size()) {
            return "its extensions differ";
        }
        for (int i = 0; i < mine.size(); i++) {
            int[] a = mine.get(i);
            int[] b = theirs.get(i);
            if (!Arrays.equals(message, a[1], a[2], first.message, b[1], b[2])) {
                return "extension " + ExtensionType.getText(a[0]) + " differs";
            }
        }
        return null;
    }

    private static List<int[]> comparable(ClientHello hello) {
        List<int[]> kept = new ArrayList<>(hello.extensions.size());
        for (int[] e : hello.extensions) {
            int t = e[0];
            if (t != ExtensionType.key_share && t != ExtensionType.early_data && t != ExtensionType.cookie
                    && t != ExtensionType.pre_shared_key && t != ExtensionType.padding) {
                kept.add(e);
            }
        }
        return kept;
    }
}
