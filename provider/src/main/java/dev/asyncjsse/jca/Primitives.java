package dev.asyncjsse.jca;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;

/**
 * Chooses, for each primitive, an implementation that works on the running JDK: the JDK's own
 * providers (through JCA delayed provider selection, so keys of an installed provider such as
 * SunPKCS11 go to that provider), and Bouncy Castle's provider, held privately, for what the JDK
 * lacks (ChaCha20 as {@code ChaCha7539} + {@code Poly1305}, {@code NONEwithRSA}, PSS under Bouncy
 * Castle's names).
 *
 * <p>Internal. Thread-safe.
 */
final class Primitives {

    private Primitives() {}

    static Signature signatureForSign(String bcName, PrivateKey key, SecureRandom random, AlgorithmParameterSpec params)
            throws InvalidKeyException {
        return initialized(bcName, params, "sign with a " + key.getAlgorithm() + " key", (signature, bc) -> {
            PrivateKey own = bc ? BcPrivateKeys.forBouncyCastle(key) : key;
            if (random != null) {
                signature.initSign(own, random);
            } else {
                signature.initSign(own);
            }
        });
    }

    static Signature signatureForVerify(String bcName, PublicKey key, AlgorithmParameterSpec params) throws InvalidKeyException {
        return initialized(bcName, params, "verify with a " + key.getAlgorithm() + " key", (signature, bc) -> signature.initVerify(key));
    }

    @FunctionalInterface
    private interface Init {
        /** @param bc whether {@code signature} is Bouncy Castle's */
        void apply(Signature signature, boolean bc) throws GeneralSecurityException;
    }

    /**
     * The first implementation, in the order {@link PrimitiveChooser} prefers, that accepts the key.
     * Keys of a provider neither side knows (SunPKCS11, say) reach it through JCA delayed selection,
     * so nothing may make the JDK's {@code Signature} choose its provider before it has the key:
     * {@code getProvider()} and {@code setParameter} both would (and pick SunEC or SunRsaSign, which
     * reject a token's key). Its parameters are set after the key.
     */
    private static Signature initialized(String bcName, AlgorithmParameterSpec params, String what, Init init)
            throws InvalidKeyException {
        PrimitiveChooser.Family family = PrimitiveChooser.signatureFamily(bcName);
        boolean bcFirst = family != null && PrimitiveChooser.source(family) == PrimitiveChooser.Source.BC;
        GeneralSecurityException failure = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            boolean useBc = (attempt == 0) == bcFirst;
            try {
                Signature signature = useBc
                        ? Signature.getInstance(bcName, CryptoProviders.bouncyCastle())
                        : Signature.getInstance(AlgorithmNames.standardSignatureName(bcName));
                if (params != null && useBc) {
                    signature.setParameter(params);
                }
                init.apply(signature, useBc);
                if (params != null && !useBc) {
                    signature.setParameter(params);
                }
                return signature;
            } catch (GeneralSecurityException | UnsupportedOperationException e) {
                GeneralSecurityException g = e instanceof GeneralSecurityException
                        ? (GeneralSecurityException) e : new InvalidKeyException(e);
                if (failure == null) {
                    failure = g;
                } else {
                    failure.addSuppressed(g);
                }
            }
        }
        throw invalidKey("no provider can " + what + " for " + bcName, failure);
    }

    /** An RSA PKCS#1 cipher; Bouncy Castle's first, because it honours the TLS premaster spec. */
    static Cipher rsaCipher(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        GeneralSecurityException first;
        try {
            Cipher cipher = Cipher.getInstance("RSA/NONE/PKCS1Padding", CryptoProviders.bouncyCastle());
            cipher.init(opmode, key, params, random);
            return cipher;
        } catch (GeneralSecurityException e) {
            first = e;
        }
        try {
            Cipher cipher = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            cipher.init(opmode, key, params, random);
            return cipher;
        } catch (InvalidAlgorithmParameterException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            first.addSuppressed(e);
            throw invalidKey("no provider can use RSA/PKCS1 with a " + key.getAlgorithm() + " key", first);
        }
    }

    /** Whether a signature named {@code bcName} exists anywhere we look. */
    static boolean signatureExists(String bcName) {
        try {
            Signature.getInstance(AlgorithmNames.standardSignatureName(bcName));
            return true;
        } catch (NoSuchAlgorithmException e) {
            Provider bc = CryptoProviders.bouncyCastle();
            return bc.getService("Signature", bcName) != null;
        }
    }

    private static InvalidKeyException invalidKey(String message, Throwable cause) {
        InvalidKeyException e = new InvalidKeyException(message);
        e.initCause(cause);
        return e;
    }
}
