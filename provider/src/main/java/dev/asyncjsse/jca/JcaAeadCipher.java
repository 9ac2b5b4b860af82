package dev.asyncjsse.jca;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.function.BiFunction;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;

/**
 * One direction of a TLS AEAD record cipher over a single JCA {@link Cipher} object.
 *
 * <p>Bouncy Castle's generic implementation looks up an {@code AlgorithmParameters} object and
 * builds it from an ASN.1-capable spec for every record, and it can only express ChaCha20-Poly1305
 * as a separate stream cipher and MAC, which the JDK does not offer. This class hands the nonce to
 * the cipher as a plain parameter spec, so AES-GCM costs one {@code init} per record and
 * ChaCha20-Poly1305 can run on the JDK's one-shot AEAD cipher ({@code "ChaCha20-Poly1305"},
 * intrinsified on recent JDKs).
 *
 * <p>Internal. Not thread-safe: Bouncy Castle's record layer owns one instance per direction and
 * calls it under the connection's lock. A failed tag check surfaces as {@code bad_record_mac}, any
 * other cipher failure as {@code internal_error}.
 */
final class JcaAeadCipher implements TlsAEADCipherImpl {

    private final Cipher cipher;
    private final String keyAlgorithm;
    private final int keySize;
    private final int mode;
    private final BiFunction<byte[], Integer, AlgorithmParameterSpec> nonceSpec;
    private SecretKeySpec key;

    private JcaAeadCipher(Cipher cipher, String keyAlgorithm, int keySize, boolean encrypting,
                          BiFunction<byte[], Integer, AlgorithmParameterSpec> nonceSpec) {
        this.cipher = cipher;
        this.keyAlgorithm = keyAlgorithm;
        this.keySize = keySize;
        this.mode = encrypting ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        this.nonceSpec = nonceSpec;
    }

    /** AES-GCM with a key of {@code keySize} bytes; the tag length comes from the record layer. */
    static JcaAeadCipher aesGcm(Cipher cipher, int keySize, boolean encrypting) {
        return new JcaAeadCipher(cipher, "AES", keySize, encrypting,
                (nonce, macSize) -> new GCMParameterSpec(macSize * 8, nonce));
    }

    /** ChaCha20-Poly1305 (RFC 8439) over a cipher that does both halves; the tag is always 16 bytes. */
    static JcaAeadCipher chaCha20Poly1305(Cipher cipher, boolean encrypting) {
        return new JcaAeadCipher(cipher, "ChaCha20", 32, encrypting, (nonce, macSize) -> {
            if (macSize != 16) {
                throw new IllegalStateException("ChaCha20-Poly1305 has a 16-byte tag, not " + macSize);
            }
            return new IvParameterSpec(nonce);
        });
    }

    @Override
    public void setKey(byte[] key, int keyOff, int keyLen) {
        if (keyLen != keySize) {
            throw new IllegalStateException("expected a " + keySize + "-byte key, got " + keyLen);
        }
        this.key = new SecretKeySpec(key, keyOff, keyLen, keyAlgorithm);
    }

    @Override
    public void init(byte[] nonce, int macSize) throws IOException {
        try {
            cipher.init(mode, key, nonceSpec.apply(nonce, macSize));
        } catch (GeneralSecurityException e) {
            throw new TlsFatalAlert(AlertDescription.internal_error,
                    "cannot start a " + cipher.getAlgorithm() + " record: " + e.getMessage(), e);
        }
    }

    @Override
    public int getOutputSize(int inputLength) {
        return cipher.getOutputSize(inputLength);
    }

    @Override
    public int doFinal(byte[] additionalData, byte[] input, int inputOffset, int inputLength,
                       byte[] output, int outputOffset) throws IOException {
        try {
            if (additionalData != null && additionalData.length > 0) {
                cipher.updateAAD(additionalData);
            }
            return cipher.doFinal(input, inputOffset, inputLength, output, outputOffset);
        } catch (AEADBadTagException e) {
            throw new TlsFatalAlert(AlertDescription.bad_record_mac, e);
        } catch (GeneralSecurityException e) {
            throw new TlsFatalAlert(AlertDescription.internal_error, e);
        }
    }
}
