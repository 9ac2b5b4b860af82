package dev.asyncjsse.tls13;

/**
 * The alert descriptions of RFC 8446, section 6, that this engine sends or names.
 *
 * <p>Internal. Immutable.
 */
enum Alert {
    CLOSE_NOTIFY(0),
    UNEXPECTED_MESSAGE(10),
    BAD_RECORD_MAC(20),
    RECORD_OVERFLOW(22),
    HANDSHAKE_FAILURE(40),
    BAD_CERTIFICATE(42),
    UNSUPPORTED_CERTIFICATE(43),
    CERTIFICATE_REVOKED(44),
    CERTIFICATE_EXPIRED(45),
    CERTIFICATE_UNKNOWN(46),
    ILLEGAL_PARAMETER(47),
    UNKNOWN_CA(48),
    ACCESS_DENIED(49),
    DECODE_ERROR(50),
    DECRYPT_ERROR(51),
    PROTOCOL_VERSION(70),
    INSUFFICIENT_SECURITY(71),
    INTERNAL_ERROR(80),
    INAPPROPRIATE_FALLBACK(86),
    USER_CANCELED(90),
    MISSING_EXTENSION(109),
    UNSUPPORTED_EXTENSION(110),
    UNRECOGNIZED_NAME(112),
    BAD_CERTIFICATE_STATUS_RESPONSE(113),
    UNKNOWN_PSK_IDENTITY(115),
    CERTIFICATE_REQUIRED(116),
    NO_APPLICATION_PROTOCOL(120);

    static final int WARNING = 1;
    static final int FATAL = 2;

    final int code;

    Alert(int code) {
        this.code = code;
    }

    /** The lower-case name RFC 8446 uses. */
    String rfcName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The name of alert {@code code}, known or not. */
    static String describe(int code) {
        for (Alert a : values()) {
            if (a.code == code) {
                return a.rfcName();
            }
        }
        return "alert " + code;
    }
}
