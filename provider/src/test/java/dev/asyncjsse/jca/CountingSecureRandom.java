package dev.asyncjsse.jca;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.concurrent.atomic.AtomicInteger;

/** A real SecureRandom (the JDK's NativePRNG) that counts the bytes and calls asked of it. */
final class CountingSecureRandom extends SecureRandom {

    private static final long serialVersionUID = 1L;

    final transient AtomicInteger calls;

    private CountingSecureRandom(CountingSpi spi) {
        super(spi, null);
        this.calls = spi.calls;
    }

    static CountingSecureRandom create() {
        try {
            return new CountingSecureRandom(new CountingSpi(SecureRandom.getInstance("NativePRNG")));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class CountingSpi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        final transient AtomicInteger calls = new AtomicInteger();
        private final transient SecureRandom delegate;

        CountingSpi(SecureRandom delegate) {
            this.delegate = delegate;
        }

        @Override
        protected void engineSetSeed(byte[] seed) {
            calls.incrementAndGet();
            delegate.setSeed(seed);
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            calls.incrementAndGet();
            delegate.nextBytes(bytes);
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            calls.incrementAndGet();
            return delegate.generateSeed(numBytes);
        }
    }
}
