package dev.asyncjsse.tls13;

import java.io.IOException;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsECConfig;
import org.bouncycastle.tls.crypto.TlsHybridAgreement;
import org.bouncycastle.tls.crypto.TlsKemConfig;

/**
 * The key exchange groups the native engine serves (RFC 8446, section 4.2.7, and the hybrid
 * X25519MLKEM768 of draft-ietf-tls-ecdhe-mlkem), each with the exact length of a client's share and
 * the Bouncy Castle agreement that answers it.
 *
 * <p>The elliptic-curve exchanges come from the context's JCA-backed {@code TlsCrypto} (the primitive
 * choice of {@code jca/}); the ML-KEM half of the hybrid from a Bouncy Castle lightweight
 * {@code TlsCrypto}. The JCA-backed one looks ML-KEM up with {@code javax.crypto.KEM} among the
 * installed providers whenever the JDK has that API (JDK 21, and 17 updates that carry it), and
 * AsyncJSSE installs no Bouncy Castle provider, so there it would find none before JDK 24.
 *
 * <p>Internal. Immutable.
 */
enum KeyShareGroup {
    X25519(NamedGroup.x25519, "x25519", 32),
    SECP256R1(NamedGroup.secp256r1, "secp256r1", 65),
    SECP384R1(NamedGroup.secp384r1, "secp384r1", 97),
    /** ML-KEM-768 encapsulation key (1184 bytes) followed by an X25519 share (section 3 of the draft). */
    X25519MLKEM768(NamedGroup.X25519MLKEM768, "X25519MLKEM768", 1184 + 32);

    private static final int MLKEM768_ENCAPSULATION_KEY = 1184;

    final int code;
    /** The name {@code jdk.tls.namedGroups} and {@code SSLParameters.setNamedGroups} use. */
    final String jsseName;
    final int clientShareLength;

    KeyShareGroup(int code, String jsseName, int clientShareLength) {
        this.code = code;
        this.jsseName = jsseName;
        this.clientShareLength = clientShareLength;
    }

    static KeyShareGroup forCode(int code) {
        for (KeyShareGroup g : values()) {
            if (g.code == code) {
                return g;
            }
        }
        return null;
    }

    static KeyShareGroup forName(String name) {
        for (KeyShareGroup g : values()) {
            if (g.jsseName.equalsIgnoreCase(name)) {
                return g;
            }
        }
        return null;
    }

    /** Whether {@code crypto} (and {@code kemCrypto} for the hybrid's KEM) can serve this group. */
    boolean supportedBy(TlsCrypto crypto, TlsCrypto kemCrypto) {
        if (this == X25519MLKEM768) {
            return kemCrypto.hasKemAgreement() && kemCrypto.hasNamedGroup(NamedGroup.MLKEM768)
                    && crypto.hasNamedGroup(NamedGroup.x25519) && crypto.hasECDHAgreement();
        }
        return crypto.hasNamedGroup(code) && crypto.hasECDHAgreement();
    }

    /**
     * A server-side agreement for this group. The caller gives it the client's share with
     * {@code receivePeerValue} before asking for its own with {@code generateEphemeral}: a KEM
     * encapsulates to the client's key, so the order matters for the hybrid.
     */
    TlsAgreement serverAgreement(TlsCrypto crypto, TlsCrypto kemCrypto) throws IOException {
        switch (this) {
            case X25519:
            case SECP256R1:
            case SECP384R1:
                return crypto.createECDomain(new TlsECConfig(code)).createECDH();
            case X25519MLKEM768:
                TlsAgreement kem = kemCrypto.createKemDomain(new TlsKemConfig(NamedGroup.MLKEM768, true)).createKem();
                TlsAgreement ecdh = crypto.createECDomain(new TlsECConfig(NamedGroup.x25519)).createECDH();
                return new TlsHybridAgreement(crypto, kem, ecdh, MLKEM768_ENCAPSULATION_KEY);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Whether {@code share} has the form a client's share of this group must have (section 4.2.8.2:
     * an uncompressed point for the NIST curves); the agreement checks the value itself.
     */
    boolean wellFormed(byte[] share) {
        if (share.length != clientShareLength) {
            return false;
        }
        return (this != SECP256R1 && this != SECP384R1) || share[0] == 4;
    }
}
