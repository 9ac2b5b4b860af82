package dev.asyncjsse.jca;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decides, per family of primitives, whether the JDK's providers or Bouncy Castle's (held privately)
 * serve AsyncJSSE's TLS stack. The choice is measured on the running JDK, not assumed: on JDK 17,
 * for example, Bouncy Castle signs ECDSA P-256 several times faster than SunEC, while the JDK's
 * AES-GCM is many times faster than Bouncy Castle's.
 *
 * <p>Each family is measured once, when a handshake first needs it: a 10 ms warm-up and a 20 ms timed
 * trial of each implementation, so about 60 ms per family once per JVM. Bouncy Castle must win by more
 * than 10% to be chosen. The choice never changes afterwards, so a key made by one implementation is
 * never handed to the other.
 *
 * <p>The choice can be fixed with the property {@value #PROPERTY} ({@code auto}, {@code jdk} or
 * {@code bc}) for all families, or {@code dev.asyncjsse.crypto.<family>} for one, where the family
 * is {@code ecdsa}, {@code xdh}, {@code ecdh}, {@code aesgcm} or {@code digest}.
 *
 * <p>Internal. Thread-safe.
 */
final class PrimitiveChooser {

    static final String PROPERTY = "dev.asyncjsse.crypto";

    /** Families that are chosen as a whole. */
    enum Family { ECDSA, XDH, ECDH, AESGCM, DIGEST }

    enum Source { JDK, BC }

    private static final long TRIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final System.Logger LOG = System.getLogger(PrimitiveChooser.class.getName());

    private static final Map<Family, Source> CHOICES = new EnumMap<>(Family.class);

    private PrimitiveChooser() {}

    /** The implementation that serves {@code family}; measured on first use, then fixed for the JVM's life. */
    static Source source(Family family) {
        Source fixed = fixedChoice(family);
        if (fixed != null) {
            return fixed;
        }
        synchronized (CHOICES) {
            Source chosen = CHOICES.get(family);
            if (chosen == null) {
                chosen = measure(family);
                CHOICES.put(family, chosen);
            }
            return chosen;
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

    private static Source measure(Family family) {
        try {
            double jdk = rate(family, null);
            double bc = rate(family, CryptoProviders.bouncyCastle());
            Source winner = bc > jdk * 1.1 ? Source.BC : Source.JDK;
            LOG.log(System.Logger.Level.DEBUG, () -> String.format(Locale.ROOT,
                    "%s: JDK %.0f ops/s, Bouncy Castle %.0f ops/s, chose %s", family, jdk, bc, winner));
            return winner;
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not measure " + family + "; using the JDK's", e);
            return Source.JDK;
        }
    }

    /** Operations per second of one implementation of {@code family}, after a warm-up trial. */
    private static double rate(Family family, Provider provider) throws GeneralSecurityException {
        Trial trial = trial(family, provider);
        run(trial, TRIAL_NANOS / 2);
        return run(trial, TRIAL_NANOS);
    }

    private static double run(Trial trial, long nanos) throws GeneralSecurityException {
        long start = System.nanoTime();
        long ops = 0;
        long elapsed;
        do {
            trial.once();
            ops++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        return ops * 1e9 / elapsed;
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
                KeyPair pair = kpg.generateKeyPair();
                Signature signature = provider == null
                        ? Signature.getInstance("NONEwithECDSA") : Signature.getInstance("NONEwithECDSA", provider);
                byte[] hash = new byte[32];
                return () -> {
                    signature.initSign(pair.getPrivate());
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
                byte[] plain = new byte[16384];
                byte[] nonce = new byte[12];
                long[] counter = {0};
                return () -> {
                    long n = ++counter[0];
                    for (int i = 0; i < 8; i++) {
                        nonce[4 + i] = (byte) (n >>> (8 * i));
                    }
                    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
                    cipher.doFinal(plain);
                };
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
