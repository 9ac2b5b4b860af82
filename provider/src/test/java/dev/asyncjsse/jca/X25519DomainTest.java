package dev.asyncjsse.jca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsECConfig;
import org.junit.jupiter.api.Test;

class X25519DomainTest {

    private final TlsCrypto crypto = TlsStack.crypto(new SecureRandom());

    /** The JDK's X25519 as the independent implementation: little-endian u-coordinates, RFC 7748. */
    private static byte[] encode(XECPublicKey key) {
        byte[] be = key.getU().toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < Math.min(32, be.length); i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    private static PublicKey decode(byte[] le) throws Exception {
        byte[] be = new byte[33];
        for (int i = 0; i < 32; i++) {
            be[32 - i] = le[i];
        }
        return KeyFactory.getInstance("X25519").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(be)));
    }

    @Test
    void theSecretEqualsTheJdksForTheSameExchange() throws Exception {
        for (int i = 0; i < 20; i++) {
            KeyPair jdk = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            TlsAgreement ours = new X25519Domain((org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto) crypto).createECDH();
            byte[] ourShare = ours.generateEphemeral();
            ours.receivePeerValue(encode((XECPublicKey) jdk.getPublic()));
            byte[] ourSecret = ours.calculateSecret().extract();

            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(jdk.getPrivate());
            ka.doPhase(decode(ourShare), true);
            assertArrayEquals(ka.generateSecret(), ourSecret);
        }
    }

    @Test
    void theContextsCryptoServesX25519ThroughItWhenBouncyCastleServesXdh() {
        boolean bc = PrimitiveChooser.source(PrimitiveChooser.Family.XDH) == PrimitiveChooser.Source.BC;
        assertEquals(bc, crypto.createECDomain(new TlsECConfig(NamedGroup.x25519)) instanceof X25519Domain);
        assertEquals(false, crypto.createECDomain(new TlsECConfig(NamedGroup.secp256r1)) instanceof X25519Domain);
    }

    @Test
    void aSmallOrderPeerValueIsRefused() throws Exception {
        TlsAgreement ours = crypto.createECDomain(new TlsECConfig(NamedGroup.x25519)).createECDH();
        ours.generateEphemeral();
        ours.receivePeerValue(new byte[32]);
        TlsFatalAlert e = assertThrows(TlsFatalAlert.class, ours::calculateSecret);
        assertEquals(AlertDescription.handshake_failure, e.getAlertDescription());
    }

    @Test
    void aPeerValueOfTheWrongLengthIsAnIllegalParameter() {
        TlsAgreement ours = crypto.createECDomain(new TlsECConfig(NamedGroup.x25519)).createECDH();
        TlsFatalAlert e = assertThrows(TlsFatalAlert.class, () -> ours.receivePeerValue(new byte[31]));
        assertEquals(AlertDescription.illegal_parameter, e.getAlertDescription());
    }

    @Test
    void theScalarIsWipedOnceTheSecretIsComputed() throws Exception {
        TlsAgreement ours = crypto.createECDomain(new TlsECConfig(NamedGroup.x25519)).createECDH();
        ours.generateEphemeral();
        byte[] peer = encode((XECPublicKey) KeyPairGenerator.getInstance("X25519").generateKeyPair().getPublic());
        ours.receivePeerValue(peer);
        ours.calculateSecret();
        // with the scalar and the peer value zeroed, a second computation has nothing left to agree on
        assertThrows(TlsFatalAlert.class, ours::calculateSecret);
    }
}
