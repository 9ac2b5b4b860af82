package dev.asyncjsse.dropin;

import java.net.Socket;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.cert.X509Certificate;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The SunJSSE baseline's "slow key": a JCA provider whose ECDSA signature sleeps before signing, the
 * way a synchronous call to an HSM or a key service blocks. It claims only {@link SlowKey}s.
 */
final class SlowSigningProvider extends Provider {

    private static final long serialVersionUID = 1L;

    final transient Duration delay;

    SlowSigningProvider(Duration delay) {
        super("SlowSign", "1.0", "ECDSA that sleeps " + delay.toMillis() + " ms");
        this.delay = delay;
        for (String alg : new String[] {"SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA"}) {
            putService(new Service(this, "Signature", alg, SlowSignature.class.getName(), null, Map.of()) {
                @Override
                public boolean supportsParameter(Object parameter) {
                    return parameter instanceof SlowKey;
                }

                @Override
                public Object newInstance(Object constructorParameter) {
                    return new SlowSignature(getAlgorithm(), SlowSigningProvider.this.delay);
                }
            });
        }
    }

    /** A key that only {@link SlowSigningProvider} signs with: opaque, like a token key. */
    static final class SlowKey implements PrivateKey {
        private static final long serialVersionUID = 1L;
        final transient PrivateKey real;

        SlowKey(PrivateKey real) {
            this.real = real;
        }

        @Override
        public String getAlgorithm() {
            return real.getAlgorithm();
        }

        @Override
        public String getFormat() {
            return null;
        }

        @Override
        public byte[] getEncoded() {
            return null;
        }
    }

    /** Hands out {@link SlowKey}s in place of the delegate's keys. */
    static final class SlowKeyManager extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;

        SlowKeyManager(X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return delegate.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            PrivateKey key = delegate.getPrivateKey(alias);
            return key == null ? null : new SlowKey(key);
        }
    }

    private static final class SlowSignature extends SignatureSpi {
        private final String algorithm;
        private final Duration delay;
        private Signature delegate;

        SlowSignature(String algorithm, Duration delay) {
            this.algorithm = algorithm;
            this.delay = delay;
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            throw new InvalidKeyException("signs only");
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            if (!(privateKey instanceof SlowKey)) {
                throw new InvalidKeyException("not a SlowKey");
            }
            try {
                delegate = Signature.getInstance(algorithm, "SunEC");
            } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
                throw new InvalidKeyException(e);
            }
            delegate.initSign(((SlowKey) privateKey).real);
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            delegate.update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            delegate.update(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SignatureException(e);
            }
            return delegate.sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            throw new SignatureException("signs only");
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
            delegate.setParameter(params);
        }

        @Override
        protected AlgorithmParameters engineGetParameters() {
            return delegate.getParameters();
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException("unsupported");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException("unsupported");
        }
    }
}
