package dev.asyncjsse.dropin;

import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sees every signature made with a key of one PKCS#11 provider through the JCA: installed first, it
 * claims those keys only (JCA delayed provider selection), records the thread and algorithm, and
 * delegates to the PKCS#11 provider. So the test knows which threads touched the token.
 */
final class TokenSpyProvider extends Provider {

    private static final long serialVersionUID = 1L;

    static final List<String> ALGORITHMS = List.of("NONEwithECDSA", "SHA1withECDSA", "SHA224withECDSA", "SHA256withECDSA",
            "SHA384withECDSA", "SHA512withECDSA", "NONEwithRSA", "SHA1withRSA", "SHA224withRSA", "SHA256withRSA", "SHA384withRSA",
            "SHA512withRSA", "RSASSA-PSS", "SHA256withRSASSA-PSS", "SHA384withRSASSA-PSS", "SHA512withRSASSA-PSS");

    /** One signature made on the token. */
    static final class Use {
        final String thread;
        final String algorithm;

        Use(String thread, String algorithm) {
            this.thread = thread;
            this.algorithm = algorithm;
        }

        @Override
        public String toString() {
            return algorithm + " on " + thread;
        }
    }

    final List<Use> uses = new CopyOnWriteArrayList<>();
    final transient Provider token;

    TokenSpyProvider(Provider token) {
        super("TokenSpy", "1.0", "records signatures made with " + token.getName() + " keys");
        this.token = token;
        for (String alg : ALGORITHMS) {
            putService(new SpyService(this, alg));
        }
    }

    private static final class SpyService extends Service {
        private final TokenSpyProvider spy;

        SpyService(TokenSpyProvider spy, String algorithm) {
            super(spy, "Signature", algorithm, SpySignature.class.getName(), null, Map.of());
            this.spy = spy;
        }

        @Override
        public boolean supportsParameter(Object parameter) {
            return parameter instanceof PrivateKey && parameter.getClass().getName().startsWith("sun.security.pkcs11.");
        }

        @Override
        public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
            return new SpySignature(spy, getAlgorithm());
        }
    }

    private static final class SpySignature extends SignatureSpi {
        private final TokenSpyProvider spy;
        private final String algorithm;
        private Signature delegate;

        SpySignature(TokenSpyProvider spy, String algorithm) {
            this.spy = spy;
            this.algorithm = algorithm;
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            throw new InvalidKeyException("TokenSpy signs only");
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            try {
                delegate = Signature.getInstance(algorithm, spy.token);
            } catch (NoSuchAlgorithmException e) {
                throw new InvalidKeyException(e);
            }
            delegate.initSign(privateKey);
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
            spy.uses.add(new Use(Thread.currentThread().getName(), algorithm));
            return delegate.sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            throw new SignatureException("TokenSpy signs only");
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
