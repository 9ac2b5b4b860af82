package dev.asyncjsse.bench;

import java.math.BigInteger;
import java.net.Socket;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.cert.X509Certificate;
import java.security.Principal;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A blocking key operation of latency L for SunJSSE: a key manager that hands out a {@link SlowKey}
 * (an {@link ECPrivateKey} wrapper), and a JCA provider, installed at position 1 for the run, whose
 * ECDSA Signature accepts only that key class, waits L, then signs with the real key through the
 * JDK's own SunEC. SunJSSE's delayed provider selection finds it; every other key (and every
 * verification) skips it. So SunJSSE pays the same key latency as AsyncJSSE's offloader, but
 * blocking the thread that runs the handshake step.
 */
final class SlowKeyProvider extends Provider {

    private static final long serialVersionUID = 1L;
    static final String NAME = "BenchSlowKey";

    SlowKeyProvider() {
        super(NAME, "1.0", "blocking key operations for the load harness");
        for (String alg : new String[] {"SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA"}) {
            putService(new Service(this, "Signature", alg, SlowSignature.class.getName(), null, null) {
                @Override
                public Object newInstance(Object constructorParameter) {
                    return new SlowSignature(alg);
                }
            });
        }
    }

    /** An EC private key whose operations take {@code latencyNanos} longer. */
    static final class SlowKey implements ECPrivateKey {
        private static final long serialVersionUID = 1L;
        final transient ECPrivateKey real;
        final long latencyNanos;

        SlowKey(ECPrivateKey real, long latencyNanos) {
            this.real = real;
            this.latencyNanos = latencyNanos;
        }

        @Override
        public BigInteger getS() {
            return real.getS();
        }

        @Override
        public ECParameterSpec getParams() {
            return real.getParams();
        }

        @Override
        public String getAlgorithm() {
            return real.getAlgorithm();
        }

        @Override
        public String getFormat() {
            return null; // not exportable: no other provider can translate it
        }

        @Override
        public byte[] getEncoded() {
            return null;
        }
    }

    static final class SlowSignature extends SignatureSpi {
        private final String algorithm;
        private Signature delegate;
        private long latencyNanos;

        SlowSignature(String algorithm) {
            this.algorithm = algorithm;
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            throw new InvalidKeyException("signing only");
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            if (!(privateKey instanceof SlowKey)) {
                throw new InvalidKeyException("only SlowKey");
            }
            SlowKey key = (SlowKey) privateKey;
            try {
                delegate = Signature.getInstance(algorithm, "SunEC");
            } catch (Exception e) {
                throw new InvalidKeyException(e);
            }
            delegate.initSign(key.real);
            latencyNanos = key.latencyNanos;
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
            sleep(latencyNanos);
            return delegate.sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            throw new SignatureException("signing only");
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) {
            if (params != null) {
                throw new UnsupportedOperationException();
            }
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException();
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException();
        }
    }

    static void sleep(long nanos) {
        long end = System.nanoTime() + nanos;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** Wraps a key manager so that its EC keys become {@link SlowKey}s. */
    static final class SlowKeyManager extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;
        private final long latencyNanos;

        SlowKeyManager(X509ExtendedKeyManager delegate, long latencyNanos) {
            this.delegate = delegate;
            this.latencyNanos = latencyNanos;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return delegate.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return delegate.chooseEngineClientAlias(keyType, issuers, engine);
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
            return key instanceof ECPrivateKey ? new SlowKey((ECPrivateKey) key, latencyNanos) : key;
        }
    }
}
