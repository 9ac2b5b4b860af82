package dev.asyncjsse.jca;

import java.security.AlgorithmParameterGenerator;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKeyFactory;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;

/**
 * The JCA helper that AsyncJSSE's private Bouncy Castle TLS stack uses for every primitive.
 *
 * <p>Signatures come from {@link AsyncJcaProvider} (routing: offloaded keys go to the offloader), and
 * so does RSA PKCS#1 decryption. Everything else comes from the JDK's providers when they have it and
 * from Bouncy Castle's provider, held privately, when they don't: no provider is installed globally.
 *
 * <p>Internal. Thread-safe.
 */
final class AsyncJcaJceHelper extends DefaultJcaJceHelper {

    @Override
    public Signature createSignature(String algorithm) throws NoSuchAlgorithmException {
        return Signature.getInstance(algorithm, AsyncJcaProvider.INSTANCE);
    }

    @Override
    public Cipher createCipher(String algorithm) throws NoSuchAlgorithmException, NoSuchPaddingException {
        if (isRsaPkcs1(algorithm)) {
            return new RoutingRsaCipher(algorithm);
        }
        if (prefersBc(PrimitiveChooser.cipherFamily(algorithm))) {
            return Cipher.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
        try {
            return super.createCipher(algorithm);
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            return Cipher.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    /**
     * Whether {@link PrimitiveChooser} picked Bouncy Castle for {@code family}. A key pair generator
     * and the agreement that uses its keys belong to one family, so they always come from one side.
     */
    private static boolean prefersBc(PrimitiveChooser.Family family) {
        return family != null && PrimitiveChooser.source(family) == PrimitiveChooser.Source.BC;
    }

    private static boolean isRsaPkcs1(String transformation) {
        String upper = transformation.toUpperCase(Locale.ROOT);
        return upper.equals("RSA/NONE/PKCS1PADDING") || upper.equals("RSA/ECB/PKCS1PADDING");
    }

    @Override
    public Mac createMac(String algorithm) throws NoSuchAlgorithmException {
        try {
            return ProviderCache.mac(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return Mac.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    public KeyAgreement createKeyAgreement(String algorithm) throws NoSuchAlgorithmException {
        if (prefersBc(PrimitiveChooser.keyAgreementFamily(algorithm))) {
            return KeyAgreement.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
        try {
            return super.createKeyAgreement(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return KeyAgreement.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    public AlgorithmParameterGenerator createAlgorithmParameterGenerator(String algorithm) throws NoSuchAlgorithmException {
        try {
            return super.createAlgorithmParameterGenerator(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return AlgorithmParameterGenerator.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    public AlgorithmParameters createAlgorithmParameters(String algorithm) throws NoSuchAlgorithmException {
        try {
            return super.createAlgorithmParameters(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return AlgorithmParameters.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    public KeyGenerator createKeyGenerator(String algorithm) throws NoSuchAlgorithmException {
        try {
            return super.createKeyGenerator(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return KeyGenerator.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    public KeyFactory createKeyFactory(String algorithm) throws NoSuchAlgorithmException {
        try {
            return super.createKeyFactory(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return KeyFactory.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    public SecretKeyFactory createSecretKeyFactory(String algorithm) throws NoSuchAlgorithmException {
        try {
            return super.createSecretKeyFactory(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return SecretKeyFactory.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    public KeyPairGenerator createKeyPairGenerator(String algorithm) throws NoSuchAlgorithmException {
        PrimitiveChooser.Family family = algorithm.equalsIgnoreCase("EC")
                ? PrimitiveChooser.Family.ECDH : PrimitiveChooser.keyAgreementFamily(algorithm);
        if (prefersBc(family)) {
            return KeyPairGenerator.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
        try {
            return super.createKeyPairGenerator(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return KeyPairGenerator.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    public MessageDigest createMessageDigest(String algorithm) throws NoSuchAlgorithmException {
        if (algorithm.toUpperCase(Locale.ROOT).startsWith("SHA") && prefersBc(PrimitiveChooser.Family.DIGEST)) {
            return MessageDigest.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
        try {
            return super.createMessageDigest(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return MessageDigest.getInstance(algorithm, CryptoProviders.bouncyCastle());
        }
    }

    @Override
    @SuppressWarnings("deprecation")
    public MessageDigest createDigest(String algorithm) throws NoSuchAlgorithmException {
        return createMessageDigest(algorithm);
    }

    /** A cipher object around {@link RoutingRsaCipherSpi}; built directly so no provider lookup or JCE check applies. */
    private static final class RoutingRsaCipher extends Cipher {
        RoutingRsaCipher(String transformation) {
            super(new RoutingRsaCipherSpi(), AsyncJcaProvider.INSTANCE, transformation);
        }
    }

}
