package dev.asyncjsse.jca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import org.bouncycastle.jcajce.util.ProviderJcaJceHelper;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;
import org.bouncycastle.tls.crypto.impl.jcajce.JceAEADCipherImpl;
import org.bouncycastle.tls.crypto.impl.jcajce.JceChaCha20Poly1305;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;
import org.junit.jupiter.api.Test;

/**
 * The record ciphers AsyncJSSE puts under Bouncy Castle's record layer must produce exactly what
 * Bouncy Castle's own ones do (a published vector and cross-decryption both ways), in place, as
 * the record layer calls them, and must reject a forged record as bad_record_mac.
 */
class JcaAeadCipherTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final JcaTlsCrypto BC_CRYPTO = new JcaTlsCryptoProvider()
            .setProvider(CryptoProviders.bouncyCastle()).create(new java.security.SecureRandom());
    private static final ProviderJcaJceHelper BC_HELPER = new ProviderJcaJceHelper(CryptoProviders.bouncyCastle());

    /** RFC 8439, section 2.8.2: the AEAD_CHACHA20_POLY1305 example. */
    @Test
    void chaCha20Poly1305MatchesTheRfc8439Example() throws Exception {
        byte[] key = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = HEX.parseHex("070000004041424344454647");
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] plain = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
                + "future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);

        byte[] sealed = seal(jdkChaCha(true), key, nonce, aad, plain);

        assertEquals("1ae10b594f09e26a7e902ecbd0600691",
                HEX.formatHex(Arrays.copyOfRange(sealed, sealed.length - 16, sealed.length)));
        assertArrayEquals(plain, open(jdkChaCha(false), key, nonce, aad, sealed));
    }

    @Test
    void chaCha20Poly1305AgreesWithBouncyCastlesStreamCipherAndMacInBothDirections() throws Exception {
        Random random = new Random(8439);
        for (int length : new int[] {0, 1, 63, 64, 65, 1000, 16385}) {
            byte[] key = bytes(random, 32);
            byte[] nonce = bytes(random, 12);
            byte[] aad = bytes(random, 13);
            byte[] plain = bytes(random, length);

            byte[] ours = seal(jdkChaCha(true), key, nonce, aad, plain);
            byte[] bcs = seal(new JceChaCha20Poly1305(BC_CRYPTO, BC_HELPER, true), key, nonce, aad, plain);

            assertArrayEquals(bcs, ours, "length " + length);
            assertArrayEquals(plain, open(new JceChaCha20Poly1305(BC_CRYPTO, BC_HELPER, false), key, nonce, aad, ours));
            assertArrayEquals(plain, open(jdkChaCha(false), key, nonce, aad, bcs));
        }
    }

    @Test
    void aesGcmAgreesWithBouncyCastlesCipherForBothKeySizes() throws Exception {
        Random random = new Random(5288);
        for (int keySize : new int[] {16, 32}) {
            for (int length : new int[] {0, 1, 16, 17, 16385}) {
                byte[] key = bytes(random, keySize);
                byte[] nonce = bytes(random, 12);
                byte[] aad = bytes(random, 13);
                byte[] plain = bytes(random, length);

                byte[] ours = seal(jdkGcm(keySize, true), key, nonce, aad, plain);
                byte[] bcs = seal(bcGcm(keySize, true), key, nonce, aad, plain);

                assertArrayEquals(bcs, ours, keySize + "-byte key, length " + length);
                assertArrayEquals(plain, open(bcGcm(keySize, false), key, nonce, aad, ours));
                assertArrayEquals(plain, open(jdkGcm(keySize, false), key, nonce, aad, bcs));
            }
        }
    }

    @Test
    void aForgedRecordIsABadRecordMac() throws Exception {
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] aad = new byte[5];
        byte[] sealed = seal(jdkChaCha(true), key, nonce, aad, new byte[100]);
        sealed[7] ^= 1;
        TlsFatalAlert chacha = assertThrows(TlsFatalAlert.class, () -> open(jdkChaCha(false), key, nonce, aad, sealed));
        assertEquals(AlertDescription.bad_record_mac, chacha.getAlertDescription());

        byte[] gcmSealed = seal(jdkGcm(16, true), new byte[16], nonce, aad, new byte[100]);
        aad[0] = 1;
        TlsFatalAlert gcm = assertThrows(TlsFatalAlert.class, () -> open(jdkGcm(16, false), new byte[16], nonce, aad, gcmSealed));
        assertEquals(AlertDescription.bad_record_mac, gcm.getAlertDescription());
    }

    @Test
    void aKeyOfTheWrongSizeIsRefused() throws Exception {
        TlsAEADCipherImpl gcm = jdkGcm(16, true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> gcm.setKey(new byte[32], 0, 32));
        assertEquals("expected a 16-byte key, got 32", e.getMessage());
    }

    private static TlsAEADCipherImpl jdkChaCha(boolean encrypting) throws Exception {
        return JcaAeadCipher.chaCha20Poly1305(Cipher.getInstance("ChaCha20-Poly1305"), encrypting);
    }

    private static TlsAEADCipherImpl jdkGcm(int keySize, boolean encrypting) throws Exception {
        return JcaAeadCipher.aesGcm(Cipher.getInstance("AES/GCM/NoPadding"), keySize, encrypting);
    }

    private static TlsAEADCipherImpl bcGcm(int keySize, boolean encrypting) throws Exception {
        return new JceAEADCipherImpl(BC_CRYPTO, BC_HELPER, "AES/GCM/NoPadding", "AES", keySize, encrypting);
    }

    /** Encrypts the way Bouncy Castle's record layer does: in place, behind a header gap. */
    private static byte[] seal(TlsAEADCipherImpl cipher, byte[] key, byte[] nonce, byte[] aad, byte[] plain)
            throws Exception {
        cipher.setKey(key, 0, key.length);
        cipher.init(nonce, 16);
        int header = 5;
        byte[] buffer = new byte[header + cipher.getOutputSize(plain.length)];
        System.arraycopy(plain, 0, buffer, header, plain.length);
        int written = cipher.doFinal(aad, buffer, header, plain.length, buffer, header);
        assertEquals(buffer.length - header, written);
        return Arrays.copyOfRange(buffer, header, buffer.length);
    }

    /** Decrypts in place, as the record layer does, and checks the predicted size. */
    private static byte[] open(TlsAEADCipherImpl cipher, byte[] key, byte[] nonce, byte[] aad, byte[] sealed)
            throws Exception {
        cipher.setKey(key, 0, key.length);
        cipher.init(nonce, 16);
        byte[] buffer = sealed.clone();
        int expected = cipher.getOutputSize(buffer.length);
        int written = cipher.doFinal(aad, buffer, 0, buffer.length, buffer, 0);
        assertEquals(expected, written);
        return Arrays.copyOf(buffer, written);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
