package dev.asyncjsse.jca;

import java.security.Security;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides, per family of primitives, whether the JDK's providers or Bouncy Castle's (held privately)
 * serve AsyncJSSE's TLS stack.
 *
 * <p><b>By default the choice is a fixed table</b> ({@link #staticChoice}), made from measurements
 * of both implementations, compiled by the JIT, on JDK 17 and JDK 25 (x86-64; operations per
 * CPU-second, JMH and the former start-up calibration agreeing):
 * <ul>
 * <li>ECDSA P-256 signing: Bouncy Castle, with its own form of the key (57 µs against SunEC's 357 µs on
 *     JDK 17 and 101 µs on JDK 25);</li>
 * <li>X25519 and ECDH P-256 key generation plus agreement: Bouncy Castle (about 2× and 4× on JDK 17,
 *     2× and even on JDK 25);</li>
 * <li>AES-GCM, ChaCha20-Poly1305 and SHA-2 digests: the JDK (AES-GCM several times faster with AES
 *     instructions and still at least even with them turned off, {@code -XX:-UseAES}; ChaCha20 1.6× on
 *     JDK 17, 5× on JDK 25 with its intrinsics; SHA-256 six times).</li>
 * </ul>
 * The table is the same on every JDK version and with or without AES instructions, because those
 * measurements came out the same; it costs nothing at start-up. (It replaces a measurement that every
 * JVM ran in the background for 4-5 s of CPU, while the JDK's slower implementations served.)
 *
 * <p><b>Opt-in measurement.</b> With {@value #PROPERTY}{@code =measure}, the first use starts
 * {@link PrimitiveMeasurement} on a daemon thread; it spends at most about 100 ms of CPU and can only
 * overrule the table by a clear margin. Until it has decided a family, the table serves it.
 *
 * <p><b>Fixed choices.</b> {@value #PROPERTY} may also be {@code auto} (the table, the default),
 * {@code jdk} or {@code bc} for every family, and {@code dev.asyncjsse.crypto.<family>} one of
 * {@code auto}, {@code jdk}, {@code bc} for one family ({@code ecdsa}, {@code xdh}, {@code ecdh},
 * {@code aesgcm}, {@code chacha20}, {@code digest}); a per-family value wins.
 *
 * <p>The measurement leaves the key agreements (XDH, ECDH) with Bouncy Castle: a client generates
 * its key share in one call and completes the agreement in a later one, and a switch in between
 * would hand one side's key to the other side's agreement. The other families are used within one
 * call (a signature) or are created together per connection (record ciphers, digests), so moving
 * them while handshakes run is safe.
 *
 * <p>Internal. Thread-safe.
 */
final class PrimitiveChooser {

    static final String PROPERTY = "dev.asyncjsse.crypto";

    /** Families that are chosen as a whole. */
    enum Family { ECDSA, XDH, ECDH, AESGCM, CHACHA20, DIGEST }

    enum Source { JDK, BC }

    /** What the properties ask for one family. */
    private enum Setting { TABLE, MEASURE, JDK, BC }

    private static final Map<Family, Source> MEASURED = new EnumMap<>(Family.class);
    private static final AtomicBoolean MEASUREMENT_STARTED = new AtomicBoolean();
    private static final CountDownLatch MEASUREMENT_DONE = new CountDownLatch(1);
    private static volatile long measurementCpuNanos = -1;

    private PrimitiveChooser() {}

    /** The implementation that serves {@code family} now. */
    static Source source(Family family) {
        switch (setting(family)) {
            case JDK:
                return Source.JDK;
            case BC:
                return Source.BC;
            case MEASURE:
                Source measured = measured(family);
                if (measured != null) {
                    return measured;
                }
                startMeasurement();
                return staticChoice(family);
            case TABLE:
                return staticChoice(family);
            default:
                throw new IllegalStateException("unknown setting for " + family);
        }
    }

    /** The family a signature algorithm name belongs to, or null if it is not chosen per family. */
    static Family signatureFamily(String algorithm) {
        String upper = algorithm.toUpperCase(Locale.ROOT);
        return upper.endsWith("WITHECDSA") ? Family.ECDSA : null;
    }

    /** The family of a key agreement (and of the key pair generator for its keys), or null. */
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

    /** The family of a cipher transformation, or null. */
    static Family cipherFamily(String transformation) {
        return transformation.toUpperCase(Locale.ROOT).startsWith("AES/GCM") ? Family.AESGCM : null;
    }

    /** The fixed table: see the class comment for the measurements behind it. */
    static Source staticChoice(Family family) {
        switch (family) {
            case ECDSA:
            case XDH:
            case ECDH:
                return Source.BC;
            case AESGCM:
            case CHACHA20:
            case DIGEST:
                return Source.JDK;
            default:
                throw new IllegalArgumentException("no table entry for " + family);
        }
    }

    /** Whether the opt-in measurement was ever started in this JVM. */
    static boolean measurementStarted() {
        return MEASUREMENT_STARTED.get();
    }

    /**
     * Starts the opt-in measurement if it has not run, and waits until it has decided every family.
     * For tests and benchmarks of the measurement itself.
     */
    static void awaitMeasurement() throws InterruptedException {
        startMeasurement();
        MEASUREMENT_DONE.await();
    }

    /** CPU time the finished measurement took, in nanoseconds; -1 before it has finished. */
    static long measurementCpuNanos() {
        return measurementCpuNanos;
    }

    private static Source measured(Family family) {
        synchronized (MEASURED) {
            return MEASURED.get(family);
        }
    }

    private static void startMeasurement() {
        if (MEASUREMENT_STARTED.compareAndSet(false, true)) {
            Thread t = new Thread(PrimitiveChooser::measureAll, "asyncjsse-crypto-measurement");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    private static void measureAll() {
        try {
            // built before the clock starts: the TLS stack needs it anyway, and it takes a while
            CryptoProviders.bouncyCastle();
            List<Family> toMeasure = new ArrayList<>();
            for (Family family : Family.values()) {
                boolean keyAgreement = family == Family.XDH || family == Family.ECDH;
                if (keyAgreement && staticChoice(family) == Source.BC) {
                    record(family, Source.BC);
                } else {
                    toMeasure.add(family);
                }
            }
            PrimitiveMeasurement measurement = new PrimitiveMeasurement(toMeasure.size());
            for (Family family : toMeasure) {
                record(family, measurement.decide(family, staticChoice(family)));
            }
            measurementCpuNanos = measurement.cpuNanosSpent();
        } finally {
            MEASUREMENT_DONE.countDown();
        }
    }

    private static void record(Family family, Source source) {
        synchronized (MEASURED) {
            MEASURED.put(family, source);
        }
    }

    /** Reads the properties for {@code family}; a bad value fails with its name and the ones allowed. */
    private static Setting setting(Family family) {
        String one = property(PROPERTY + "." + family.name().toLowerCase(Locale.ROOT));
        if (one != null && !one.isEmpty()) {
            switch (one.toLowerCase(Locale.ROOT)) {
                case "auto":
                    return globalSetting();
                case "jdk":
                    return Setting.JDK;
                case "bc":
                    return Setting.BC;
                default:
                    throw new IllegalArgumentException(PROPERTY + "." + family.name().toLowerCase(Locale.ROOT)
                            + " must be auto, jdk or bc, not '" + one + "'");
            }
        }
        return globalSetting();
    }

    private static Setting globalSetting() {
        String all = property(PROPERTY);
        if (all == null || all.isEmpty()) {
            return Setting.TABLE;
        }
        switch (all.toLowerCase(Locale.ROOT)) {
            case "auto":
                return Setting.TABLE;
            case "measure":
                return Setting.MEASURE;
            case "jdk":
                return Setting.JDK;
            case "bc":
                return Setting.BC;
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, measure, jdk or bc, not '" + all + "'");
        }
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
