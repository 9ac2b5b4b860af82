package dev.asyncjsse.jca;

import java.io.IOException;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.bouncycastle.tls.crypto.TlsECDomain;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * X25519 key shares on Bouncy Castle's X25519 functions called directly, for when
 * {@link PrimitiveChooser} picks Bouncy Castle for XDH. Through Bouncy Castle's JCA provider the same
 * exchange costs about twice the key generation (its private key object computes the public key a
 * second time) plus a round trip of each public key through an X.509 encoding and the JDK's key
 * factory; the arithmetic is the same.
 *
 * <p>Internal. The domain is thread-safe; each agreement belongs to one handshake, which uses it from
 * one thread at a time.
 */
final class X25519Domain implements TlsECDomain {

    private final JcaTlsCrypto crypto;

    X25519Domain(JcaTlsCrypto crypto) {
        this.crypto = crypto;
    }

    @Override
    public TlsAgreement createECDH() {
        return new Agreement();
    }

    /** One ephemeral exchange; the private scalar and the peer's value are wiped once the secret is computed. */
    private final class Agreement implements TlsAgreement {
        private final byte[] privateKey = new byte[X25519.SCALAR_SIZE];
        private final byte[] peerValue = new byte[X25519.POINT_SIZE];

        @Override
        public byte[] generateEphemeral() {
            X25519.generatePrivateKey(crypto.getSecureRandom(), privateKey);
            byte[] publicKey = new byte[X25519.POINT_SIZE];
            X25519.generatePublicKey(privateKey, 0, publicKey, 0);
            return publicKey;
        }

        @Override
        public void receivePeerValue(byte[] value) throws IOException {
            if (value == null || value.length != X25519.POINT_SIZE) {
                throw new TlsFatalAlert(AlertDescription.illegal_parameter);
            }
            System.arraycopy(value, 0, peerValue, 0, X25519.POINT_SIZE);
        }

        @Override
        public TlsSecret calculateSecret() throws IOException {
            byte[] secret = new byte[X25519.POINT_SIZE];
            try {
                // false: the result is all zeros (a small-order peer value); RFC 8446 section 7.4.2 says abort
                if (!X25519.calculateAgreement(privateKey, 0, peerValue, 0, secret, 0)) {
                    throw new TlsFatalAlert(AlertDescription.handshake_failure);
                }
                return crypto.createSecret(secret);
            } finally {
                Arrays.fill(privateKey, (byte) 0);
                Arrays.fill(peerValue, (byte) 0);
                Arrays.fill(secret, (byte) 0);
            }
        }
    }
}
