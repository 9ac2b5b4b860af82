package dev.asyncjsse.jca;

import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The randomness of one AsyncJSSE {@code SSLContext}: a small set of SP 800-90A DRBGs that no other
 * context shares, so that no handshake waits on a JVM-wide lock for random bytes. (The JDK's default
 * {@code NativePRNG} serialises every caller in the JVM on one lock; a loop thread was measured
 * waiting up to 7.9 ms on it behind a preempted thread.)
 *
 * <p><b>Generators.</b> Each stripe is the JDK's {@code DRBG} ({@code Hash_DRBG} with SHA-256 at
 * 256-bit strength; measured at 0.7-0.9 µs per 32 bytes, against 3.4-5.9 µs for Bouncy Castle's
 * pure-Java CTR and Hash DRBGs on the same machine). It is instantiated on first use with the JDK's
 * entropy source plus, as personalization string, 48 bytes drawn from the context's
 * {@code SecureRandom} (the one given to {@code SSLContext.init}, or the JVM's default): its output
 * depends on both.
 *
 * <p><b>Threads.</b> There are {@link #stripes()} stripes (twice the processors, rounded up to a
 * power of two, at most 64), each behind its own lock. A thread starts at the stripe its id selects
 * and takes the first one whose lock is free, so a thread never waits behind another that was
 * preempted while generating, unless every stripe is busy at once (then it waits for its own). One
 * generator per thread was the alternative; it was rejected because handshake jobs run on a new
 * virtual thread each (JDK 24+), and each would have paid for an instantiation.
 *
 * <p><b>Reseeding.</b> Each stripe reseeds after {@value #RESEED_REQUESTS} requests: fresh entropy
 * from the JDK's source plus 32 bytes of the context's {@code SecureRandom} as additional input. (The
 * DRBG's own limit, 2^48 requests, would never be reached.) No prediction resistance: it would read
 * the entropy source on every request.
 *
 * <p>{@link #generateSeed(int)} returns DRBG output, not raw entropy: Bouncy Castle seeds a small
 * DRBG per connection for its nonces from it, and that must not reach the JVM-wide source either.
 * {@link #setSeed(byte[])} mixes the bytes into every stripe as additional input.
 *
 * <p>Internal: public for the engines that take it from their context. Thread-safe and intended to
 * be shared by all threads of one context; it never blocks on I/O after a stripe's first use and
 * holds no lock while calling the context's {@code SecureRandom} except during instantiation or a
 * reseed of that stripe.
 */
public final class ContextRandom extends SecureRandom {

    private static final long serialVersionUID = 1L;

    /** Requests a stripe serves between reseeds. */
    static final int RESEED_REQUESTS = 1 << 16;
    private static final int PERSONALIZATION_BYTES = 48;
    private static final int RESEED_INPUT_BYTES = 32;
    private static final int MAX_STRIPES = 64;

    private final transient SecureRandom seedSource;
    private final transient String purpose;
    private final transient ReentrantLock[] locks;
    private final transient AtomicReferenceArray<Stripe> stripes;
    private final transient int mask;

    private ContextRandom(SecureRandom seedSource, String purpose, int stripeCount) {
        super(new UnusedSpi(), null);
        this.seedSource = seedSource;
        this.purpose = purpose;
        this.locks = new ReentrantLock[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            locks[i] = new ReentrantLock();
        }
        this.stripes = new AtomicReferenceArray<>(stripeCount);
        this.mask = stripeCount - 1;
    }

    /**
     * A context random seeded from {@code seedSource} (the JVM's default {@code SecureRandom} when
     * null); {@code purpose} names it in {@link #toString()} (keys, nonces).
     */
    public static ContextRandom create(SecureRandom seedSource, String purpose) {
        return new ContextRandom(seedSource != null ? seedSource : new SecureRandom(), purpose,
                stripeCount(Runtime.getRuntime().availableProcessors()));
    }

    /** Twice {@code processors}, rounded up to a power of two, between 2 and {@value #MAX_STRIPES}. */
    static int stripeCount(int processors) {
        int wanted = Math.max(2, Math.min(MAX_STRIPES, 2 * processors));
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /** How many independent generators serve this instance. */
    int stripes() {
        return locks.length;
    }

    @Override
    public void nextBytes(byte[] bytes) {
        int start = (int) Thread.currentThread().getId() & mask;
        int index = start;
        ReentrantLock lock = null;
        for (int i = 0; i <= mask; i++) {
            int candidate = (start + i) & mask;
            if (locks[candidate].tryLock()) {
                lock = locks[candidate];
                index = candidate;
                break;
            }
        }
        if (lock == null) {
            lock = locks[start];
            lock.lock();
        }
        try {
            stripe(index).generate(bytes);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] generateSeed(int numBytes) {
        if (numBytes < 0) {
            throw new IllegalArgumentException("numBytes must not be negative");
        }
        byte[] seed = new byte[numBytes];
        nextBytes(seed);
        return seed;
    }

    @Override
    public void setSeed(byte[] seed) {
        // Random's constructor calls setSeed(long) before the fields are assigned
        if (locks == null || seed == null) {
            return;
        }
        for (int i = 0; i <= mask; i++) {
            locks[i].lock();
            try {
                stripe(i).reseed(seed);
            } finally {
                locks[i].unlock();
            }
        }
    }

    @Override
    public void setSeed(long seed) {
        if (locks != null) {
            super.setSeed(seed);
        }
    }

    @Override
    public String getAlgorithm() {
        return "DRBG";
    }

    @Override
    public String toString() {
        return "AsyncJSSE context random (" + purpose + ", " + locks.length + " DRBGs)";
    }

    /** Its generators' states are secrets, and a copy would repeat their output: never serialized. */
    private void writeObject(ObjectOutputStream out) throws NotSerializableException {
        throw new NotSerializableException(ContextRandom.class.getName());
    }

    /** The generator of stripe {@code index}, instantiated on first use; call with its lock held. */
    private Stripe stripe(int index) {
        Stripe stripe = stripes.get(index);
        if (stripe == null) {
            byte[] personalization = new byte[PERSONALIZATION_BYTES];
            seedSource.nextBytes(personalization);
            stripe = new Stripe(personalization);
            stripes.set(index, stripe);
        }
        return stripe;
    }

    /** One DRBG and its request count since the last (re)seed. Guarded by its stripe's lock. */
    private final class Stripe {
        private final SecureRandom drbg;
        private int requests;

        Stripe(byte[] personalization) {
            try {
                drbg = SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(256,
                        DrbgParameters.Capability.RESEED_ONLY, personalization));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JDK has no DRBG SecureRandom with reseeding at 256 bits", e);
            }
        }

        void generate(byte[] bytes) {
            if (++requests > RESEED_REQUESTS) {
                byte[] input = new byte[RESEED_INPUT_BYTES];
                seedSource.nextBytes(input);
                reseed(input);
            }
            drbg.nextBytes(bytes);
        }

        void reseed(byte[] additionalInput) {
            drbg.reseed(DrbgParameters.reseed(false, additionalInput));
            requests = 0;
        }
    }

    /**
     * The service provider interface {@link SecureRandom} insists on. Every public method that would
     * reach it is overridden; those that are not ({@code nextBytes} with parameters, {@code reseed})
     * are not supported, as for any non-DRBG {@code SecureRandom}.
     */
    private static final class UnusedSpi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;

        @Override
        protected void engineSetSeed(byte[] seed) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            throw new UnsupportedOperationException();
        }
    }
}
