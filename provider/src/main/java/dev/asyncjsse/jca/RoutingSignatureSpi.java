package dev.asyncjsse.jca;

import dev.asyncjsse.OffloadPoint;
import java.io.ByteArrayOutputStream;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.CompletionException;

/**
 * The signature service Bouncy Castle's TLS code gets from AsyncJSSE. With an
 * {@link OffloadedPrivateKey} it collects the message and hands the signing to the key's offloader
 * through {@link OffloadPoint#await}; with any other key it delegates to the implementation
 * {@link Primitives} chose for the algorithm.
 *
 * <p>Internal. Like every {@code SignatureSpi}, an instance is used by one thread at a time.
 */
final class RoutingSignatureSpi extends SignatureSpi {

    private final String bcName;
    private AlgorithmParameterSpec params;
    private Signature delegate;
    private OffloadedPrivateKey offloadedKey;
    private ByteArrayOutputStream message;

    RoutingSignatureSpi(String bcName) {
        this.bcName = bcName;
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
        reset();
        delegate = Primitives.signatureForVerify(bcName, publicKey, params);
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
        engineInitSign(privateKey, null);
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey, SecureRandom random) throws InvalidKeyException {
        reset();
        if (privateKey instanceof OffloadedPrivateKey) {
            offloadedKey = (OffloadedPrivateKey) privateKey;
            message = new ByteArrayOutputStream(128);
        } else {
            delegate = Primitives.signatureForSign(bcName, TlsKeys.unwrap(privateKey), random, params);
        }
    }

    private void reset() {
        delegate = null;
        offloadedKey = null;
        message = null;
    }

    @Override
    protected void engineUpdate(byte b) throws SignatureException {
        if (message != null) {
            message.write(b);
        } else {
            initialized().update(b);
        }
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
        if (message != null) {
            message.write(b, off, len);
        } else {
            initialized().update(b, off, len);
        }
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
        if (offloadedKey == null) {
            return initialized().sign();
        }
        byte[] toSign = message.toByteArray();
        message.reset();
        String algorithm = AlgorithmNames.standardSignatureName(bcName);
        try {
            byte[] signature = OffloadPoint.await(
                    offloadedKey.offloader().sign(offloadedKey.realKey(), algorithm, params, toSign));
            if (signature == null || signature.length == 0) {
                throw new SignatureException("key offloader returned an empty " + algorithm + " signature");
            }
            return signature;
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SignatureException("offloaded " + algorithm + " signature failed: " + cause, cause);
        } catch (RuntimeException e) {
            throw new SignatureException("key offloader threw from sign(" + algorithm + "): " + e, e);
        }
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
        if (offloadedKey != null) {
            throw new SignatureException("an offloaded key cannot verify");
        }
        return initialized().verify(sigBytes);
    }

    private Signature initialized() throws SignatureException {
        if (delegate == null) {
            throw new SignatureException("signature not initialized");
        }
        return delegate;
    }

    @Override
    protected void engineSetParameter(AlgorithmParameterSpec spec) throws InvalidAlgorithmParameterException {
        params = spec;
        if (delegate != null) {
            delegate.setParameter(spec);
        }
    }

    @Override
    protected AlgorithmParameters engineGetParameters() {
        return delegate != null ? delegate.getParameters() : null;
    }

    @Deprecated
    @Override
    protected void engineSetParameter(String param, Object value) throws InvalidParameterException {
        throw new InvalidParameterException("not supported");
    }

    @Deprecated
    @Override
    protected Object engineGetParameter(String param) throws InvalidParameterException {
        throw new InvalidParameterException("not supported");
    }
}
