package dev.asyncjsse.nio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What {@link ClientHelloExplorer#explore(java.nio.ByteBuffer)} found in buffered bytes: a status and,
 * when the status is {@link Status#COMPLETE}, the fields of the ClientHello an application needs to
 * choose an {@code SSLContext} before it creates an engine.
 *
 * <p>Immutable and thread-safe. The lists are unmodifiable and never {@code null}.
 */
public final class ClientHello {

    /** The outcome of exploring. */
    public enum Status {
        /** The bytes so far are a valid beginning of a ClientHello; read more and explore again. */
        NEED_MORE_BYTES,
        /** The first bytes are not a TLS handshake record (plain text, HTTP, SSLv2 hello, ...). */
        NOT_TLS,
        /** The bytes start like TLS but break the record or ClientHello format; see {@link #message()}. */
        MALFORMED,
        /** A whole ClientHello was parsed; the fields are filled in. */
        COMPLETE
    }

    /** Protocol version code of TLS 1.3 ({@code 0x0304}). */
    public static final int TLS13 = 0x0304;
    /** Protocol version code of TLS 1.2 ({@code 0x0303}). */
    public static final int TLS12 = 0x0303;

    private final Status status;
    private final String message;
    private final int alert;
    private final int bytesNeeded;
    private final int length;
    private final int recordVersion;
    private final int legacyVersion;
    private final List<Integer> supportedVersions;
    private final List<Integer> cipherSuites;
    private final List<String> serverNames;
    private final List<String> applicationProtocols;

    private ClientHello(Status status, String message, int alert, int bytesNeeded, int length, int recordVersion,
                        int legacyVersion, List<Integer> supportedVersions, List<Integer> cipherSuites,
                        List<String> serverNames, List<String> applicationProtocols) {
        this.status = status;
        this.message = message;
        this.alert = alert;
        this.bytesNeeded = bytesNeeded;
        this.length = length;
        this.recordVersion = recordVersion;
        this.legacyVersion = legacyVersion;
        this.supportedVersions = Collections.unmodifiableList(new ArrayList<>(supportedVersions));
        this.cipherSuites = Collections.unmodifiableList(new ArrayList<>(cipherSuites));
        this.serverNames = Collections.unmodifiableList(new ArrayList<>(serverNames));
        this.applicationProtocols = Collections.unmodifiableList(new ArrayList<>(applicationProtocols));
    }

    static ClientHello needMore(int bytesNeeded, String message) {
        return new ClientHello(Status.NEED_MORE_BYTES, message, -1, bytesNeeded, 0, -1, -1, List.of(), List.of(), List.of(),
                List.of());
    }

    /** @param alert the alert refusing these bytes, or -1 if they must not be answered */
    static ClientHello notTls(String message, int alert) {
        return new ClientHello(Status.NOT_TLS, message, alert, 0, 0, -1, -1, List.of(), List.of(), List.of(), List.of());
    }

    /** @param alert the alert refusing these bytes, or -1 if they must not be answered */
    static ClientHello malformed(String message, int alert) {
        return new ClientHello(Status.MALFORMED, message, alert, 0, 0, -1, -1, List.of(), List.of(), List.of(), List.of());
    }

    static ClientHello complete(int length, int recordVersion, int legacyVersion, List<Integer> supportedVersions,
                                List<Integer> cipherSuites, List<String> serverNames, List<String> alpn) {
        return new ClientHello(Status.COMPLETE, "ClientHello complete", -1, 0, length, recordVersion, legacyVersion,
                supportedVersions, cipherSuites, serverNames, alpn);
    }

    /** The outcome. */
    public Status status() {
        return status;
    }

    /** True iff {@link #status()} is {@link Status#COMPLETE}. */
    public boolean isComplete() {
        return status == Status.COMPLETE;
    }

    /** A human-readable reason for the status, never {@code null} (for MALFORMED: what is wrong and where). */
    public String message() {
        return message;
    }

    /**
     * For {@link Status#NOT_TLS} and {@link Status#MALFORMED}: the fatal alert a TLS server answers these
     * bytes with, as the RFCs prescribe: {@code decode_error} (50) for a ClientHello that cannot be
     * decoded, {@code unexpected_message} (10) for a record or message that does not belong there
     * (RFC 8446 sections 5 and 5.1), {@code record_overflow} (22) for a record longer than 2^14 bytes,
     * {@code protocol_version} (70) for a record whose major version is not 3. -1 when the bytes must
     * not be answered (they start with the client's own alert, RFC 8446 section 6.2) and for the other
     * statuses.
     *
     * @return the alert description, or -1
     */
    public int alert() {
        return alert;
    }

    /**
     * For {@link Status#NEED_MORE_BYTES}: a lower bound of how many more bytes are needed (at least 1).
     * Zero for the other statuses.
     */
    public int bytesNeeded() {
        return bytesNeeded;
    }

    /**
     * For {@link Status#COMPLETE}: the number of bytes, from the buffer's position, of the records that
     * carry the ClientHello (all of them, headers included). Zero otherwise.
     */
    public int length() {
        return length;
    }

    /** The version field of the first record header, e.g. {@code 0x0301}; -1 unless complete. */
    public int recordVersion() {
        return recordVersion;
    }

    /** The ClientHello's {@code legacy_version}, e.g. {@code 0x0303}; -1 unless complete. */
    public int legacyVersion() {
        return legacyVersion;
    }

    /** The {@code supported_versions} extension in the client's order, GREASE included; empty if absent. */
    public List<Integer> supportedVersions() {
        return supportedVersions;
    }

    /**
     * The protocol versions the client offers as JSSE names ({@code "TLSv1.3"}, {@code "TLSv1.2"}, ...),
     * in the client's order, GREASE and unknown values left out: from {@code supported_versions} if
     * present, otherwise the single {@code legacy_version}.
     */
    public List<String> offeredProtocols() {
        List<String> names = new ArrayList<>();
        if (supportedVersions.isEmpty()) {
            if (legacyVersion >= 0 && protocolName(legacyVersion) != null) {
                names.add(protocolName(legacyVersion));
            }
        } else {
            for (int v : supportedVersions) {
                String n = protocolName(v);
                if (n != null) {
                    names.add(n);
                }
            }
        }
        return Collections.unmodifiableList(names);
    }

    /** The offered cipher suite codes in the client's order (e.g. {@code 0x1301}), GREASE and SCSVs included. */
    public List<Integer> cipherSuites() {
        return cipherSuites;
    }

    /** The {@code host_name} entries of the {@code server_name} extension, lower-cased ASCII; empty if absent. */
    public List<String> serverNames() {
        return serverNames;
    }

    /** The first SNI host name, or {@code null} if the client sent none. */
    public String serverName() {
        return serverNames.isEmpty() ? null : serverNames.get(0);
    }

    /** The ALPN protocol names in the client's order (e.g. {@code "h2"}, {@code "http/1.1"}); empty if absent. */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /** The JSSE name of a protocol version code, or {@code null} if it is not one (GREASE, unknown). */
    public static String protocolName(int version) {
        switch (version) {
            case 0x0300:
                return "SSLv3";
            case 0x0301:
                return "TLSv1";
            case 0x0302:
                return "TLSv1.1";
            case 0x0303:
                return "TLSv1.2";
            case 0x0304:
                return "TLSv1.3";
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        if (status != Status.COMPLETE) {
            return "ClientHello[" + status + ": " + message + (status == Status.NEED_MORE_BYTES ? ", need >= " + bytesNeeded : "")
                    + (alert >= 0 ? ", alert " + alert : "") + "]";
        }
        StringBuilder suites = new StringBuilder();
        for (int s : cipherSuites) {
            if (suites.length() > 0) {
                suites.append(',');
            }
            suites.append(String.format(Locale.ROOT, "0x%04X", s));
        }
        return "ClientHello[length=" + length + ", sni=" + serverNames + ", alpn=" + applicationProtocols
                + ", versions=" + offeredProtocols() + ", suites=" + suites + "]";
    }
}
