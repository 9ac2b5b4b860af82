package dev.asyncjsse.jca;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.EncryptionAlgorithm;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsCipher;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.TlsECConfig;
import org.bouncycastle.tls.crypto.TlsECDomain;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipher;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * Bouncy Castle's JCA-based TLS crypto with AsyncJSSE's record ciphers: AES-GCM and
 * ChaCha20-Poly1305 records go through {@link JcaAeadCipher}, so the record layer runs on the
 * fastest AEAD the running JDK has (as {@link PrimitiveChooser} chooses it) with one cipher
 * {@code init} per record; X25519 key shares go through {@link X25519Domain} when Bouncy Castle
 * serves XDH. Everything else is Bouncy Castle's.
 *
 * <p>Internal. Thread-safe like its superclass; each record cipher it creates belongs to one connection.
 */
final class AsyncTlsCrypto extends JcaTlsCrypto {

    private static final String JDK_CHACHA20_POLY1305 = "ChaCha20-Poly1305";
    private static final int CHACHA20_KEY_BYTES = 32;
    private static final int POLY1305_TAG_BYTES = 16;

    AsyncTlsCrypto(JcaJceHelper helper, JcaJceHelper altHelper, SecureRandom keyRandom, SecureRandom nonceRandom) {
        super(helper, altHelper, keyRandom, nonceRandom);
    }

    @Override
    public TlsCipher createCipher(TlsCryptoParameters cryptoParams, int encryptionAlgorithm, int macAlgorithm)
            throws IOException {
        if (encryptionAlgorithm == EncryptionAlgorithm.CHACHA20_POLY1305
                && PrimitiveChooser.source(PrimitiveChooser.Family.CHACHA20) == PrimitiveChooser.Source.JDK) {
            Cipher encrypt = jdkChaCha20Poly1305();
            Cipher decrypt = jdkChaCha20Poly1305();
            if (encrypt != null && decrypt != null) {
                return new TlsAEADCipher(cryptoParams,
                        JcaAeadCipher.chaCha20Poly1305(encrypt, true), JcaAeadCipher.chaCha20Poly1305(decrypt, false),
                        CHACHA20_KEY_BYTES, POLY1305_TAG_BYTES, TlsAEADCipher.AEAD_CHACHA20_POLY1305, null);
            }
        }
        return super.createCipher(cryptoParams, encryptionAlgorithm, macAlgorithm);
    }

    @Override
    public TlsECDomain createECDomain(TlsECConfig ecConfig) {
        if (ecConfig.getNamedGroup() == NamedGroup.x25519
                && PrimitiveChooser.source(PrimitiveChooser.Family.XDH) == PrimitiveChooser.Source.BC) {
            return new X25519Domain(this);
        }
        return super.createECDomain(ecConfig);
    }

    @Override
    protected TlsAEADCipherImpl createAEADCipher(String cipherName, String algorithm, int keySize, boolean isEncrypting)
            throws GeneralSecurityException {
        if (cipherName.toUpperCase(Locale.ROOT).startsWith("AES/GCM/")) {
            return JcaAeadCipher.aesGcm(getHelper().createCipher(cipherName), keySize, isEncrypting);
        }
        return super.createAEADCipher(cipherName, algorithm, keySize, isEncrypting);
    }

    /** The JDK's one-shot ChaCha20-Poly1305, or null where a restricted JDK leaves it out (Bouncy Castle's then serves). */
    private static Cipher jdkChaCha20Poly1305() throws IOException {
        try {
            return Cipher.getInstance(JDK_CHACHA20_POLY1305);
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            return null;
        } catch (RuntimeException e) {
            throw new TlsFatalAlert(AlertDescription.internal_error, e);
        }
    }
}
