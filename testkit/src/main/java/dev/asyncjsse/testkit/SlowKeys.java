package dev.asyncjsse.testkit;

import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Gives a synchronous JSSE provider (SunJSSE) a slow private key: every ECDSA signature blocks the
 * calling thread for a chosen latency, the way a synchronous call to an HSM or a key service would.
 * It is the baseline AsyncJSSE's offload is compared against in the benchmarks, the demo's compare
 * mode and the drop-in tests, so both sides pay the same key cost.
 *
 * <p>{@link #slow} wraps a key manager so that it hands out {@link SlowKey}s and installs, once, a
 * JCA provider (at the end of the list) whose ECDSA signatures accept only that key class. JCA
 * delayed provider selection skips every other provider for such a key, and this provider for every
 * other key, so nothing else in the JVM changes. Thread-safe.
 */
public final class SlowKeys {

    /** The name of the installed provider. */
    public static final String PROVIDER_NAME = "AsyncJsseTestSlowKeys";

    private SlowKeys() {}

    /** An opaque key whose signatures take {@code latency} longer; only this provider signs with it. */
    public static final class SlowKey implements PrivateKey {
        private static final long serialVersionUID = 1L;
        private final transient PrivateKey real;
        private final transient long latencyNanos;

        SlowKey(PrivateKey real, long latencyNanos) {
            this.real = real;
            this.latencyNanos = latencyNanos;
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

    /** Wraps {@code delegate} so that {@link X509ExtendedKeyManager#getPrivateKey} returns {@link SlowKey}s. */
    public static X509ExtendedKeyManager slow(X509ExtendedKeyManager delegate, Duration latency) {
        install();
        long latencyNanos = latency.toNanos();
        return new ForwardingKeyManager(delegate) {
            @Override
            public PrivateKey getPrivateKey(String alias) {
                PrivateKey key = delegate.getPrivateKey(alias);
                return key == null ? null : new SlowKey(key, latencyNanos);
            }
        };
    }

    private static synchronized void install() {
        if (Security.getProvider(PROVIDER_NAME) == null) {
            Security.addProvider(new SlowProvider());
        }
    }

    /** Blocks for {@code nanos}, resuming after spurious wake-ups. */
    private static void block(long nanos) throws SignatureException {
        long end = System.nanoTime() + nanos;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new SignatureException("interrupted while the slow key was signing");
            }
        }
    }

    private static final class SlowProvider extends Provider {
        private static final long serialVersionUID = 1L;

        SlowProvider() {
            super(PROVIDER_NAME, "1.0", "ECDSA signatures with added latency, for SunJSSE baselines");
            for (String alg : new String[] {"SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA"}) {
                putService(new Service(this, "Signature", alg, SlowSignature.class.getName(), null, null) {
                    @Override
                    public boolean supportsParameter(Object parameter) {
                        return parameter instanceof SlowKey;
                    }

                    @Override
                    public Object newInstance(Object constructorParameter) {
                        return new SlowSignature(alg);
                    }
                });
            }
        }
    }

    private static final class SlowSignature extends SignatureSpi {
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
                throw new InvalidKeyException("not a SlowKey");
            }
            SlowKey key = (SlowKey) privateKey;
            try {
                delegate = Signature.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
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
            block(latencyNanos);
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
