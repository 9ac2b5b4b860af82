package dev.asyncjsse.examples.compare;

import java.net.Socket;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Gives a synchronous JSSE provider (SunJSSE) a slow private key: every signature sleeps for the
 * chosen latency on the calling thread, the way a remote key service or an HSM would block it. This is
 * the baseline AsyncJSSE is compared against. Installs a tiny JCA provider (at the end of the list)
 * whose ECDSA signatures accept only {@link SlowKey}s.
 */
final class SlowKeys {

    private SlowKeys() {}

    /** A private key whose signatures take {@code latencyMs} longer. */
    static final class SlowKey implements PrivateKey {
        private static final long serialVersionUID = 1L;
        final transient PrivateKey real;
        final long latencyMs;

        SlowKey(PrivateKey real, long latencyMs) {
            this.real = real;
            this.latencyMs = latencyMs;
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

    /** Wraps {@code delegate} so that {@link #getPrivateKey} returns {@link SlowKey}s. */
    static X509ExtendedKeyManager slow(X509ExtendedKeyManager delegate, long latencyMs) {
        install();
        return new X509ExtendedKeyManager() {
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
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
                return delegate.chooseEngineServerAlias(keyType, issuers, engine);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return delegate.getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                PrivateKey k = delegate.getPrivateKey(alias);
                return k == null ? null : new SlowKey(k, latencyMs);
            }
        };
    }

    private static synchronized void install() {
        if (Security.getProvider(SlowProvider.NAME) == null) {
            Security.addProvider(new SlowProvider());
        }
    }

    private static final class SlowProvider extends Provider {
        private static final long serialVersionUID = 1L;
        static final String NAME = "AsyncJsseDemoSlowKeys";

        SlowProvider() {
            super(NAME, "1.0", "ECDSA signatures with added latency for the compare demo");
            for (String alg : new String[] {"SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA"}) {
                putService(new Service(this, "Signature", alg, SlowSignature.class.getName(), null,
                        Map.of("SupportedKeyClasses", SlowKey.class.getName())) {
                    @Override
                    public Object newInstance(Object parameter) {
                        return new SlowSignature(alg);
                    }
                });
            }
        }
    }

    private static final class SlowSignature extends SignatureSpi {
        private final String algorithm;
        private Signature delegate;
        private long latencyMs;

        SlowSignature(String algorithm) {
            this.algorithm = algorithm;
        }

        @Override
        protected void engineInitVerify(java.security.PublicKey publicKey) throws InvalidKeyException {
            throw new InvalidKeyException("signing only");
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            if (!(privateKey instanceof SlowKey)) {
                throw new InvalidKeyException("not a SlowKey");
            }
            SlowKey k = (SlowKey) privateKey;
            try {
                delegate = Signature.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new InvalidKeyException(e);
            }
            delegate.initSign(k.real);
            latencyMs = k.latencyMs;
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
                Thread.sleep(latencyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SignatureException("interrupted");
            }
            return delegate.sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            throw new SignatureException("signing only");
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException("no parameters");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            return null;
        }
    }
}
