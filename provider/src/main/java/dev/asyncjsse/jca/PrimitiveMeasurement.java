package dev.asyncjsse.jca;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The opt-in check of {@link PrimitiveChooser}'s table on the running JVM
 * ({@code dev.asyncjsse.crypto=measure}): for each family it runs the JDK's and Bouncy Castle's
 * implementation in alternating slices of about a millisecond and compares operations per second
 * over the second half of its share (the first half lets the JIT start compiling both).
 *
 * <p>The budget is {@value #BUDGET_MILLIS} ms of this thread's CPU time (wall time where the JVM
 * cannot tell a thread's CPU time), setting up the trials included; the families share it. Past it
 * the measurement goes on only until the slice under way ends (about a millisecond, or one
 * operation); a family it does not reach keeps the table's choice. That is too short for the JIT to
 * finish (the JDK's AES-GCM, for one, is far slower before its intrinsic is compiled), so the
 * measurement only overrules the table when the other implementation is more than {@value #MARGIN}×
 * as fast: it corrects a table that is clearly wrong for this JVM (a future JDK with a much faster
 * implementation), not a close call.
 *
 * <p>Internal. One instance per measurement, used by one thread.
 */
final class PrimitiveMeasurement {

    static final long BUDGET_MILLIS = 100;
    static final double MARGIN = 2.0;

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final System.Logger LOG = System.getLogger(PrimitiveMeasurement.class.getName());

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean threadCpu = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    private final long begin;
    private final long deadline;
    private final SecureRandom random = ContextRandom.create(null, "measurement");
    private int familiesLeft;

    /** A measurement of {@code families} families, which share the budget, starting now. */
    PrimitiveMeasurement(int families) {
        this.begin = clock();
        this.deadline = begin + TimeUnit.MILLISECONDS.toNanos(BUDGET_MILLIS);
        this.familiesLeft = families;
    }

    /** Nanoseconds of this thread's CPU time (or wall time, see the class comment) spent so far. */
    long cpuNanosSpent() {
        return clock() - begin;
    }

    /** The clock the budget is counted on: this thread's CPU time where the JVM measures it. */
    private long clock() {
        return threadCpu ? threads.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** The implementation to use for {@code family}: {@code table} unless the other is clearly faster. */
    PrimitiveChooser.Source decide(PrimitiveChooser.Family family, PrimitiveChooser.Source table) {
        long start = clock();
        long familyDeadline = start + Math.max(0, deadline - start) / Math.max(1, familiesLeft--);
        if (start >= familyDeadline) {
            LOG.log(System.Logger.Level.DEBUG, () -> family + ": budget spent; keeping the table's choice");
            return table;
        }
        try {
            Trial jdk = trial(family, null);
            Trial bc = trial(family, CryptoProviders.bouncyCastle());
            long measureFrom = clock() + (familyDeadline - clock()) / 2;
            Rate jdkRate = new Rate();
            Rate bcRate = new Rate();
            while (clock() < familyDeadline) {
                boolean counted = clock() >= measureFrom;
                slice(jdk, counted ? jdkRate : null);
                slice(bc, counted ? bcRate : null);
            }
            if (jdkRate.ops == 0 || bcRate.ops == 0) {
                return table;
            }
            PrimitiveChooser.Source other = table == PrimitiveChooser.Source.JDK ? PrimitiveChooser.Source.BC : PrimitiveChooser.Source.JDK;
            double tableRate = table == PrimitiveChooser.Source.JDK ? jdkRate.perSecond() : bcRate.perSecond();
            double otherRate = other == PrimitiveChooser.Source.JDK ? jdkRate.perSecond() : bcRate.perSecond();
            PrimitiveChooser.Source chosen = otherRate > tableRate * MARGIN ? other : table;
            LOG.log(System.Logger.Level.DEBUG, () -> String.format(Locale.ROOT,
                    "%s: JDK %.0f, Bouncy Castle %.0f operations per second; table %s, chose %s",
                    family, jdkRate.perSecond(), bcRate.perSecond(), table, chosen));
            return chosen;
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not measure " + family + "; keeping the table's choice", e);
            return table;
        }
    }

    /** Runs {@code trial} for about {@link #SLICE_NANOS} of wall time, adding to {@code rate} when it is not null. */
    private static void slice(Trial trial, Rate rate) throws GeneralSecurityException {
        long start = System.nanoTime();
        long ops = 0;
        long elapsed;
        do {
            trial.once();
            ops++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < SLICE_NANOS);
        if (rate != null) {
            rate.ops += ops;
            rate.nanos += elapsed;
        }
    }

    /** Operations and the time they took, over the counted slices of one side. */
    private static final class Rate {
        long ops;
        long nanos;

        double perSecond() {
            return nanos == 0 ? 0 : ops * 1e9 / nanos;
        }
    }

    @FunctionalInterface
    private interface Trial {
        void once() throws GeneralSecurityException;
    }

    private Trial trial(PrimitiveChooser.Family family, Provider provider) throws GeneralSecurityException {
        switch (family) {
            case ECDSA: {
                KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
                kpg.initialize(new ECGenParameterSpec("secp256r1"));
                // a JDK key, as key managers hand out, in the form each side really signs with
                PrivateKey key = provider == null
                        ? kpg.generateKeyPair().getPrivate() : BcPrivateKeys.forBouncyCastle(kpg.generateKeyPair().getPrivate());
                Signature signature = provider == null
                        ? Signature.getInstance("NONEwithECDSA") : Signature.getInstance("NONEwithECDSA", provider);
                byte[] hash = new byte[32];
                return () -> {
                    signature.initSign(key, random);
                    signature.update(hash);
                    signature.sign();
                };
            }
            case AESGCM: {
                Cipher cipher = provider == null
                        ? Cipher.getInstance("AES/GCM/NoPadding") : Cipher.getInstance("AES/GCM/NoPadding", provider);
                return recordTrial(cipher, new SecretKeySpec(new byte[16], "AES"), nonce -> new GCMParameterSpec(128, nonce));
            }
            case CHACHA20: {
                Cipher cipher = provider == null
                        ? Cipher.getInstance("ChaCha20-Poly1305") : Cipher.getInstance("ChaCha20-Poly1305", provider);
                return recordTrial(cipher, new SecretKeySpec(new byte[32], "ChaCha20"), IvParameterSpec::new);
            }
            case DIGEST: {
                MessageDigest digest = provider == null
                        ? MessageDigest.getInstance("SHA-256") : MessageDigest.getInstance("SHA-256", provider);
                byte[] data = new byte[1024];
                return () -> digest.digest(data);
            }
            default:
                throw new IllegalArgumentException("no trial for " + family);
        }
    }

    /** Encrypting one 1 KiB record under a fresh nonce, as the record layer does. */
    private static Trial recordTrial(Cipher cipher, SecretKeySpec key, Function<byte[], AlgorithmParameterSpec> spec) {
        byte[] plain = new byte[1024];
        byte[] nonce = new byte[12];
        long[] counter = {0};
        return () -> {
            long n = ++counter[0];
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] = (byte) (n >>> (8 * i));
            }
            cipher.init(Cipher.ENCRYPT_MODE, key, spec.apply(nonce));
            cipher.doFinal(plain);
        };
    }
}
