package dev.asyncjsse.jca;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

class BcPrivateKeysTest {

    private static KeyPair jdkEcPair() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        return kpg.generateKeyPair();
    }

    @Test
    void aJdkEcKeyBecomesBouncyCastlesOwnOnceAndItsSignaturesVerifyWithTheOriginalPublicKey() throws Exception {
        KeyPair pair = jdkEcPair();

        PrivateKey translated = BcPrivateKeys.forBouncyCastle(pair.getPrivate());

        assertTrue(translated instanceof org.bouncycastle.jce.interfaces.ECPrivateKey, translated.getClass().getName());
        assertSame(translated, BcPrivateKeys.forBouncyCastle(pair.getPrivate()), "translated once per key object");
        Signature signer = Signature.getInstance("SHA256withECDSA", CryptoProviders.bouncyCastle());
        signer.initSign(translated);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signature), "the JDK must accept a signature made with the translated key");
    }

    @Test
    void distinctKeysNeverShareATranslation() throws Exception {
        PrivateKey a = jdkEcPair().getPrivate();
        PrivateKey b = jdkEcPair().getPrivate();
        PrivateKey ta = BcPrivateKeys.forBouncyCastle(a);
        PrivateKey tb = BcPrivateKeys.forBouncyCastle(b);
        assertNotSame(ta, tb);
        assertTrue(((java.security.interfaces.ECPrivateKey) ta).getS().equals(((java.security.interfaces.ECPrivateKey) a).getS()));
        assertTrue(((java.security.interfaces.ECPrivateKey) tb).getS().equals(((java.security.interfaces.ECPrivateKey) b).getS()));
    }

    @Test
    void otherKeysPassThroughUnchanged() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        PrivateKey rsaKey = rsa.generateKeyPair().getPrivate();
        assertSame(rsaKey, BcPrivateKeys.forBouncyCastle(rsaKey));

        KeyPairGenerator bcEc = KeyPairGenerator.getInstance("EC", CryptoProviders.bouncyCastle());
        bcEc.initialize(new ECGenParameterSpec("secp256r1"));
        PrivateKey bcKey = bcEc.generateKeyPair().getPrivate();
        assertSame(bcKey, BcPrivateKeys.forBouncyCastle(bcKey));

        PrivateKey ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        assertSame(ed, BcPrivateKeys.forBouncyCastle(ed));
    }
}
