package dev.asyncjsse.jca;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decides, per family of primitives, whether the JDK's providers or Bouncy Castle's (held privately)
 * serve AsyncJSSE's TLS stack. The choice is measured on the running JDK, not assumed: on JDK 17,
 * for example, Bouncy Castle signs ECDSA P-256 several times faster than SunEC, while the JDK's
 * AES-GCM is many times faster than Bouncy Castle's.
 *
 * <p>The first handshake starts the measurement on a low-priority daemon thread: alternating 25 ms
 * rounds of each implementation per family, counted in operations per CPU-second of that thread (so
 * a busy machine does not skew it), until neither side is still getting faster as the JIT compiles
 * it (at least 6 and at most 40 rounds after an untimed warm-up; about 4 s of CPU once per JVM on
 * the development machine). Until a family is decided the JDK serves it; Bouncy Castle must win by
 * more than 10% to be chosen, and the decision never changes afterwards. The only switch is
 * therefore JDK to Bouncy Castle, which is safe mid-handshake: Bouncy Castle's agreements accept the
 * JDK's keys through their encodings.
 *
 * <p>The choice can be fixed with the property {@value #PROPERTY} ({@code auto}, {@code jdk} or
 * {@code bc}) for all families, or {@code dev.asyncjsse.crypto.<family>} for one, where the family
 * is {@code ecdsa}, {@code xdh}, {@code ecdh}, {@code aesgcm}, {@code chacha20} or {@code digest}.
 *
 * <p>Internal. Thread-safe.
 */
final class PrimitiveChooser {

    static final String PROPERTY = "dev.asyncjsse.crypto";

    /** Families that are chosen as a whole. */
    enum Family {
        ECDSA(2000), XDH(2000), ECDH(2000), AESGCM(5000), CHACHA20(5000), DIGEST(20000);

        /** Untimed operations per side before the timed rounds, so both run compiled code. */
        final int warmUpOps;

        Family(int warmUpOps) {
            this.warmUpOps = warmUpOps;
        }
    }

    enum Source { JDK, BC }

    private static final long TRIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    private static final System.Logger LOG = System.getLogger(PrimitiveChooser.class.getName());

    private static final long WARM_UP_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MIN_ROUNDS = 6;
    private static final int MAX_ROUNDS = 40;
    private static final int PLATEAU_ROUNDS = 4;
    private static final double PLATEAU_GAIN = 0.03;
    private static final Map<Family, Source> CHOICES = new ConcurrentHashMap<>();
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CountDownLatch MEASURED = new CountDownLatch(1);

    private PrimitiveChooser() {}

    /**
     * The implementation that serves {@code family} now: the JDK's until the background measurement
     * has decided, then the winner for the rest of the JVM's life.
     */
    static Source source(Family family) {
        Source fixed = fixedChoice(family);
        if (fixed != null) {
            return fixed;
        }
        Source measured = CHOICES.get(family);
        if (measured != null) {
            return measured;
        }
        startMeasuring();
        return Source.JDK;
    }

    /** Waits until every family is measured; for tests and benchmarks that need the settled choice. */
    static void awaitMeasurement() throws InterruptedException {
        startMeasuring();
        MEASURED.await();
    }

    private static void startMeasuring() {
        if (STARTED.compareAndSet(false, true)) {
            Thread t = new Thread(PrimitiveChooser::measureAll, "asyncjsse-crypto-calibration");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    /** The family a signature algorithm name belongs to, or null if it is not chosen by measurement. */
    static Family signatureFamily(String algorithm) {
        String upper = algorithm.toUpperCase(Locale.ROOT);
        return upper.endsWith("WITHECDSA") ? Family.ECDSA : null;
    }

    static Family keyAgreementFamily(String algorithm) {
        String upper = algorithm.toUpperCase(Locale.ROOT);
        if (upper.equals("X25519") || upper.equals("X448") || upper.equals("XDH")) {
            return Family.XDH;
        }
        if (upper.equals("ECDH")) {
            return Family.ECDH;
        }
        return null;
    }

    static Family cipherFamily(String transformation) {
        return transformation.toUpperCase(Locale.ROOT).startsWith("AES/GCM") ? Family.AESGCM : null;
    }

    private static Source fixedChoice(Family family) {
        String one = property(PROPERTY + "." + family.name().toLowerCase(Locale.ROOT));
        String all = property(PROPERTY);
        String value = one != null ? one : all;
        if (value == null || value.isEmpty() || value.equalsIgnoreCase("auto")) {
            return null;
        }
        if (value.equalsIgnoreCase("jdk")) {
            return Source.JDK;
        }
        if (value.equalsIgnoreCase("bc")) {
            return Source.BC;
        }
        throw new IllegalArgumentException(PROPERTY + " must be auto, jdk or bc, not '" + value + "'");
    }

    private static void measureAll() {
        try {
            for (Family family : Family.values()) {
                CHOICES.put(family, measure(family));
            }
        } finally {
            MEASURED.countDown();
        }
    }

    private static Source measure(Family family) {
        try {
            Trial jdk = trial(family, null);
            Trial bc = trial(family, CryptoProviders.bouncyCastle());
            warmUp(jdk, family);
            warmUp(bc, family);
            Best bestJdk = new Best();
            Best bestBc = new Best();
            int round = 0;
            do {
                bestJdk.offer(rate(jdk));
                bestBc.offer(rate(bc));
                round++;
            } while (round < MAX_ROUNDS
                    && (round < MIN_ROUNDS || bestJdk.stillRising() || bestBc.stillRising()));
            Source winner = bestBc.value > bestJdk.value * 1.1 ? Source.BC : Source.JDK;
            int rounds = round;
            LOG.log(System.Logger.Level.DEBUG, () -> String.format(Locale.ROOT,
                    "%s: JDK %.0f ops per CPU-second, Bouncy Castle %.0f, after %d rounds: chose %s",
                    family, bestJdk.value, bestBc.value, rounds, winner));
            return winner;
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not measure " + family + "; using the JDK's", e);
            return Source.JDK;
        }
    }

    /**
     * The best rate seen so far, and whether it is still climbing. Rates climb in steps as the JIT
     * compiles each side (the JDK's AES-GCM is ~20x faster once its intrinsic is compiled in), so a
     * family is decided only when neither side's best has improved by more than 3% over the last
     * four rounds.
     */
    private static final class Best {
        private final double[] recent = new double[PLATEAU_ROUNDS + 1];
        private int rounds;
        double value;

        void offer(double rate) {
            value = Math.max(value, rate);
            recent[rounds++ % recent.length] = value;
        }

        boolean stillRising() {
            if (rounds < recent.length) {
                return true;
            }
            double before = recent[rounds % recent.length];
            return value > before * (1 + PLATEAU_GAIN);
        }
    }

    /**
     * Runs {@code trial} enough times for the JIT to compile it with its intrinsics before any round
     * is timed: measured cold, Bouncy Castle's ECDSA looks no faster than SunEC's, although compiled it
     * signs several times faster on JDK 17.
     */
    private static void warmUp(Trial trial, Family family) throws GeneralSecurityException {
        long deadline = System.nanoTime() + WARM_UP_LIMIT_NANOS;
        for (int i = 0; i < family.warmUpOps && System.nanoTime() < deadline; i++) {
            trial.once();
        }
    }

    /** Operations per CPU-second of this thread, over one trial, so a busy machine does not skew it. */
    private static double rate(Trial trial) throws GeneralSecurityException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpuTime = threads.isCurrentThreadCpuTimeSupported();
        long startCpu = cpuTime ? threads.getCurrentThreadCpuTime() : 0;
        long start = System.nanoTime();
        long ops = 0;
        do {
            trial.once();
            ops++;
        } while (System.nanoTime() - start < TRIAL_NANOS);
        long spent = cpuTime ? threads.getCurrentThreadCpuTime() - startCpu : System.nanoTime() - start;
        return ops * 1e9 / Math.max(1, spent);
    }

    @FunctionalInterface
    private interface Trial {
        void once() throws GeneralSecurityException;
    }

    private static Trial trial(Family family, Provider provider) throws GeneralSecurityException {
        switch (family) {
            case ECDSA: {
                KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
                kpg.initialize(new ECGenParameterSpec("secp256r1"));
                // a JDK key, as key managers hand out, in the form each side will really sign with
                PrivateKey key = provider == null
                        ? kpg.generateKeyPair().getPrivate() : BcPrivateKeys.forBouncyCastle(kpg.generateKeyPair().getPrivate());
                Signature signature = provider == null
                        ? Signature.getInstance("NONEwithECDSA") : Signature.getInstance("NONEwithECDSA", provider);
                byte[] hash = new byte[32];
                return () -> {
                    signature.initSign(key);
                    signature.update(hash);
                    signature.sign();
                };
            }
            case XDH:
                return agreement("X25519", null, provider);
            case ECDH:
                return agreement("EC", new ECGenParameterSpec("secp256r1"), provider);
            case AESGCM: {
                Cipher cipher = provider == null
                        ? Cipher.getInstance("AES/GCM/NoPadding") : Cipher.getInstance("AES/GCM/NoPadding", provider);
                SecretKeySpec key = new SecretKeySpec(new byte[16], "AES");
                return recordTrial(cipher, key, nonce -> new GCMParameterSpec(128, nonce));
            }
            case CHACHA20: {
                Cipher cipher = provider == null
                        ? Cipher.getInstance("ChaCha20-Poly1305") : Cipher.getInstance("ChaCha20-Poly1305", provider);
                SecretKeySpec key = new SecretKeySpec(new byte[32], "ChaCha20");
                return recordTrial(cipher, key, nonce -> new IvParameterSpec(nonce));
            }
            case DIGEST: {
                MessageDigest digest = provider == null
                        ? MessageDigest.getInstance("SHA-256") : MessageDigest.getInstance("SHA-256", provider);
                byte[] data = new byte[1024];
                return () -> digest.digest(data);
            }
            default:
                throw new IllegalArgumentException(family.toString());
        }
    }

    /**
     * Encrypting one record under a fresh nonce, as the record layer does. The record is 1 KiB, not
     * a full 16 KiB: the per-byte ranking is the same, and the many more calls per round get the
     * JIT to compile both sides (and the JDK's intrinsics) within a few rounds.
     */
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

    /** One key-pair generation plus one agreement: what a TLS server does per handshake. */
    private static Trial agreement(String algorithm, ECGenParameterSpec spec, Provider provider) throws GeneralSecurityException {
        KeyPairGenerator kpg = provider == null
                ? KeyPairGenerator.getInstance(algorithm) : KeyPairGenerator.getInstance(algorithm, provider);
        if (spec != null) {
            kpg.initialize(spec);
        }
        KeyPair peer = kpg.generateKeyPair();
        String agreementName = algorithm.equals("EC") ? "ECDH" : algorithm;
        KeyAgreement agreement = provider == null
                ? KeyAgreement.getInstance(agreementName) : KeyAgreement.getInstance(agreementName, provider);
        return () -> {
            KeyPair mine = kpg.generateKeyPair();
            agreement.init(mine.getPrivate());
            agreement.doPhase(peer.getPublic(), true);
            agreement.generateSecret();
        };
    }

    /** A system property, or the security property of that name when the system property is absent. */
    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            value = Security.getProperty(name);
        }
        return value == null ? null : value.trim();
    }
}
