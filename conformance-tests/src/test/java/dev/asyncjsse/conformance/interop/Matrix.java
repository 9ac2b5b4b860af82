package dev.asyncjsse.conformance.interop;

import java.util.List;

/**
 * The TLS 1.3 parameters every peer is tried with, one at a time: key-exchange groups, cipher
 * suites and signature schemes (each scheme with the server key that produces it), named as RFC 8446
 * and the IANA registry name them.
 */
final class Matrix {

    /** The TLS 1.3 cipher suites. */
    static final List<String> SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    private Matrix() {}

    /** {@link #SUITES}, for {@code @MethodSource}. */
    static List<String> suites() {
        return SUITES;
    }

    /** Key-exchange groups (RFC 8446 §4.2.7, and the hybrid of draft-ietf-tls-ecdhe-mlkem). */
    enum Group {
        X25519("x25519"),
        SECP256R1("secp256r1"),
        SECP384R1("secp384r1"),
        X25519MLKEM768("X25519MLKEM768");

        final String tlsName;

        Group(String tlsName) {
            this.tlsName = tlsName;
        }

        /**
         * The group a peer's output names, in any of the spellings the peers use ({@code X25519},
         * {@code prime256v1}, {@code P-256}, {@code SECP384R1}, {@code X25519-MLKEM768}, ...), or null.
         */
        static Group parse(String name) {
            String n = name.toUpperCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
            switch (n) {
                case "X25519":
                    return X25519;
                case "SECP256R1":
                case "PRIME256V1":
                case "P256":
                    return SECP256R1;
                case "SECP384R1":
                case "P384":
                    return SECP384R1;
                case "X25519MLKEM768":
                    return X25519MLKEM768;
                default:
                    return null;
            }
        }
    }

    /** The kinds of server key, one certificate each. */
    enum ServerKey { EC_P256, EC_P384, RSA, RSA_PSS, ED25519 }

    /** Signature schemes (RFC 8446 §4.2.3) and the server key that signs with each. */
    enum Scheme {
        ECDSA_SECP256R1_SHA256(ServerKey.EC_P256),
        ECDSA_SECP384R1_SHA384(ServerKey.EC_P384),
        RSA_PSS_RSAE_SHA256(ServerKey.RSA),
        RSA_PSS_RSAE_SHA384(ServerKey.RSA),
        RSA_PSS_RSAE_SHA512(ServerKey.RSA),
        RSA_PSS_PSS_SHA256(ServerKey.RSA_PSS),
        ED25519(ServerKey.ED25519);

        final ServerKey key;

        Scheme(ServerKey key) {
            this.key = key;
        }

        /** The IANA name, e.g. {@code rsa_pss_rsae_sha256}. */
        String tlsName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * The schemes a client limited to this one offers: this one, plus ecdsa_secp256r1_sha256
         * with which the interop CA signs every certificate. Without the latter the chain itself is
         * not acceptable (RFC 8446 §4.2.3: without signature_algorithms_cert the list also applies
         * to the chain), and the server has no usable certificate. Each server key can sign with
         * only one of the two, so the CertificateVerify scheme is still this one.
         */
        List<String> offer() {
            return this == ECDSA_SECP256R1_SHA256 ? List.of(tlsName()) : List.of(tlsName(), ECDSA_SECP256R1_SHA256.tlsName());
        }

        /** The hash of an RSA-PSS or ECDSA scheme as the JCA names it ({@code SHA-256}), or null for EdDSA. */
        String hash() {
            String n = name();
            return n.endsWith("SHA256") ? "SHA-256" : n.endsWith("SHA384") ? "SHA-384" : n.endsWith("SHA512") ? "SHA-512" : null;
        }
    }
}
