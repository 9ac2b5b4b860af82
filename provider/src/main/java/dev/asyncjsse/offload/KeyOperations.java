package dev.asyncjsse.offload;

import dev.asyncjsse.jca.ContextRandom;
import dev.asyncjsse.jca.CryptoProviders;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;

/**
 * Performs a private-key operation with the JCA, the way a key offloader would on its own thread.
 *
 * <p>The installed providers are tried first, so a key of SunPKCS11 or another installed provider
 * is used by the provider that owns it. Bouncy Castle's provider, held privately, covers what the
 * JDK lacks (for example {@code NONEwithRSA} for software keys).
 *
 * <p>Internal: not part of the public API; public because the native TLS 1.3 engine signs inline with
 * it when no offloader is configured. Thread-safe.
 */
public final class KeyOperations {

    /**
     * Randomness for signatures (ECDSA nonces, PSS salts). Without one the JDK's and Bouncy Castle's
     * signatures draw from the JVM's default {@code SecureRandom}, whose lock every key thread of the
     * JVM would share.
     */
    private static final SecureRandom RANDOM = ContextRandom.create(null, "key operations");

    @FunctionalInterface
    interface Operation {
        byte[] run() throws GeneralSecurityException;
    }

    private KeyOperations() {}

    public static byte[] sign(PrivateKey key, String algorithm, AlgorithmParameterSpec params, byte[] message)
            throws GeneralSecurityException {
        Signature signature = initSigner(key, algorithm);
        if (params != null) {
            signature.setParameter(params);
        }
        signature.update(message);
        return signature.sign();
    }

    private static Signature initSigner(PrivateKey key, String algorithm) throws GeneralSecurityException {
        Provider preferred = CryptoProviders.preferredSignatureProvider(algorithm);
        if (preferred != null && key.getEncoded() != null) {
            // a software key: sign with the implementation the synchronous TLS stack measured fastest
            try {
                Signature signature = Signature.getInstance(algorithm, preferred);
                signature.initSign(CryptoProviders.forBouncyCastle(key), RANDOM);
                return signature;
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                // fall through to the installed providers
            }
        }
        GeneralSecurityException first;
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initSign(key, RANDOM);
            return signature;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            first = e;
        }
        Provider fallback = CryptoProviders.bouncyCastle();
        try {
            Signature signature = Signature.getInstance(algorithm, fallback);
            signature.initSign(key, RANDOM);
            return signature;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            first.addSuppressed(e);
            throw first;
        }
    }

    public static byte[] decrypt(PrivateKey key, String transformation, byte[] ciphertext) throws GeneralSecurityException {
        Cipher cipher;
        try {
            cipher = Cipher.getInstance(transformation);
            cipher.init(Cipher.DECRYPT_MODE, key, RANDOM);
        } catch (NoSuchAlgorithmException | NoSuchPaddingException | InvalidKeyException e) {
            try {
                cipher = Cipher.getInstance(transformation, CryptoProviders.bouncyCastle());
                cipher.init(Cipher.DECRYPT_MODE, key, RANDOM);
            } catch (NoSuchAlgorithmException | NoSuchPaddingException | InvalidKeyException e2) {
                e.addSuppressed(e2);
                throw e;
            }
        }
        return cipher.doFinal(ciphertext);
    }
}
