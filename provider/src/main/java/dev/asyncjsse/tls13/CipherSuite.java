package dev.asyncjsse.tls13;

import org.bouncycastle.tls.crypto.CryptoHashAlgorithm;

/**
 * The TLS 1.3 cipher suites the native engine serves (RFC 8446, appendix B.4): an AEAD for the
 * records and a hash for the key schedule and transcript.
 *
 * <p>Internal. Immutable.
 */
enum CipherSuite {
    TLS_AES_128_GCM_SHA256(0x1301, "AES/GCM/NoPadding", "AES", 16, Hash.SHA256),
    TLS_AES_256_GCM_SHA384(0x1302, "AES/GCM/NoPadding", "AES", 32, Hash.SHA384),
    TLS_CHACHA20_POLY1305_SHA256(0x1303, "ChaCha20-Poly1305", "ChaCha20", 32, Hash.SHA256);

    /** The hash of a suite: HKDF's and the transcript's. */
    enum Hash {
        SHA256("SHA-256", 32, CryptoHashAlgorithm.sha256),
        SHA384("SHA-384", 48, CryptoHashAlgorithm.sha384);

        final String jcaName;
        final int length;
        /** Bouncy Castle's identifier, for HKDF through {@code TlsSecret}. */
        final int cryptoHash;

        Hash(String jcaName, int length, int cryptoHash) {
            this.jcaName = jcaName;
            this.length = length;
            this.cryptoHash = cryptoHash;
        }
    }

    /** Every AEAD of TLS 1.3 has a 12-byte nonce (RFC 8446, section 5.3) and these have 16-byte tags. */
    static final int IV_LENGTH = 12;
    static final int TAG_LENGTH = 16;

    final int code;
    final String transformation;
    final String keyAlgorithm;
    final int keyLength;
    final Hash hash;

    CipherSuite(int code, String transformation, String keyAlgorithm, int keyLength, Hash hash) {
        this.code = code;
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
        this.keyLength = keyLength;
        this.hash = hash;
    }

    /** The suite with IANA code {@code code}, or {@code null}. */
    static CipherSuite forCode(int code) {
        for (CipherSuite suite : values()) {
            if (suite.code == code) {
                return suite;
            }
        }
        return null;
    }

    /** The suite with the JSSE name {@code name}, or {@code null}. */
    static CipherSuite forName(String name) {
        for (CipherSuite suite : values()) {
            if (suite.name().equals(name)) {
                return suite;
            }
        }
        return null;
    }
}
