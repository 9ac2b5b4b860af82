package dev.asyncjsse.jca;

import dev.asyncjsse.OffloadPoint;
import java.io.ByteArrayOutputStream;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.CompletionException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;

/**
 * The RSA PKCS#1 v1.5 cipher Bouncy Castle uses for TLS 1.2 RSA key exchange. Decryption with an
 * {@link OffloadedPrivateKey} goes to the offloader; everything else is delegated.
 *
 * <p>With an offloaded key, the TLS-specific parameter spec (which asks a provider to hide padding
 * failures) is refused, so Bouncy Castle falls back to a plain decryption and applies the RFC 5246
 * countermeasure itself, in constant time.
 *
 * <p>Internal. Used by one thread at a time.
 */
final class RoutingRsaCipherSpi extends CipherSpi {

    private static final String TRANSFORMATION = "RSA/ECB/PKCS1Padding";

    private Cipher delegate;
    private OffloadedPrivateKey offloadedKey;
    private final ByteArrayOutputStream input = new ByteArrayOutputStream(512);

    @Override
    protected void engineSetMode(String mode) throws NoSuchAlgorithmException {
        if (!mode.equalsIgnoreCase("ECB") && !mode.equalsIgnoreCase("NONE")) {
            throw new NoSuchAlgorithmException("unsupported mode " + mode);
        }
    }

    @Override
    protected void engineSetPadding(String padding) throws NoSuchPaddingException {
        if (!padding.equalsIgnoreCase("PKCS1Padding")) {
            throw new NoSuchPaddingException("unsupported padding " + padding);
        }
    }

    @Override
    protected int engineGetBlockSize() {
        return 0;
    }

    @Override
    protected int engineGetOutputSize(int inputLen) {
        return delegate != null ? delegate.getOutputSize(inputLen) : 512;
    }

    @Override
    protected byte[] engineGetIV() {
        return null;
    }

    @Override
    protected AlgorithmParameters engineGetParameters() {
        return null;
    }

    @Override
    protected void engineInit(int opmode, Key key, SecureRandom random) throws InvalidKeyException {
        try {
            init(opmode, key, null, random);
        } catch (InvalidAlgorithmParameterException e) {
            throw new InvalidKeyException(e.getMessage(), e);
        }
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        init(opmode, key, params, random);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        if (params != null) {
            throw new InvalidAlgorithmParameterException("no parameters supported");
        }
        init(opmode, key, null, random);
    }

    private void init(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        delegate = null;
        offloadedKey = null;
        input.reset();
        if (key instanceof OffloadedPrivateKey) {
            if (opmode != Cipher.DECRYPT_MODE) {
                throw new InvalidKeyException("an offloaded key can only decrypt");
            }
            if (params != null) {
                throw new InvalidAlgorithmParameterException(
                        "offloaded RSA decryption takes no parameters; " + params.getClass().getSimpleName() + " refused");
            }
            offloadedKey = (OffloadedPrivateKey) key;
            return;
        }
        delegate = Primitives.rsaCipher(opmode, key, params, random);
    }

    @Override
    protected byte[] engineUpdate(byte[] in, int off, int len) {
        if (delegate != null) {
            return delegate.update(in, off, len);
        }
        input.write(in, off, len);
        return new byte[0];
    }

    @Override
    protected int engineUpdate(byte[] in, int off, int len, byte[] out, int outOff) throws ShortBufferException {
        if (delegate != null) {
            return delegate.update(in, off, len, out, outOff);
        }
        input.write(in, off, len);
        return 0;
    }

    @Override
    protected byte[] engineDoFinal(byte[] in, int off, int len) throws IllegalBlockSizeException, BadPaddingException {
        if (delegate != null) {
            return delegate.doFinal(in, off, len);
        }
        if (offloadedKey == null) {
            throw new IllegalStateException("cipher not initialized");
        }
        if (in != null) {
            input.write(in, off, len);
        }
        byte[] ciphertext = input.toByteArray();
        input.reset();
        try {
            byte[] plain = OffloadPoint.await(offloadedKey.offloader().decrypt(offloadedKey.realKey(), TRANSFORMATION, ciphertext));
            if (plain == null) {
                throw new BadPaddingException("key offloader returned no plaintext");
            }
            return plain;
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            BadPaddingException failure = new BadPaddingException("offloaded RSA decryption failed: " + cause);
            failure.initCause(cause);
            throw failure;
        } catch (RuntimeException e) {
            BadPaddingException failure = new BadPaddingException("key offloader threw from decrypt: " + e);
            failure.initCause(e);
            throw failure;
        }
    }

    @Override
    protected int engineDoFinal(byte[] in, int off, int len, byte[] out, int outOff)
            throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
        byte[] result = engineDoFinal(in, off, len);
        if (out.length - outOff < result.length) {
            throw new ShortBufferException("need " + result.length + " bytes");
        }
        System.arraycopy(result, 0, out, outOff, result.length);
        return result.length;
    }
}
