package dev.asyncjsse.tls13;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsCryptoUtils;
import org.bouncycastle.tls.crypto.TlsSecret;

/**
 * The TLS 1.3 key schedule (RFC 8446, section 7.1) of one connection: early secret, handshake secret,
 * master secret, and what is derived from each. HKDF is Bouncy Castle's ({@link TlsSecret#hkdfExtract},
 * {@link TlsCryptoUtils#hkdfExpandLabel}); this class only orders the steps and labels.
 *
 * <p>Secrets are returned as fresh arrays owned by the caller, which wipes them when done.
 *
 * <p>Internal. Not thread-safe: one connection's handshake uses it.
 */
final class KeySchedule {

    private final TlsCrypto crypto;
    private final CipherSuite.Hash hash;
    /** Shared by every schedule of this hash: read, never wiped or handed out. */
    private final byte[] emptyHash;
    /** The secret of the current stage: early, then handshake, then master. */
    private byte[] stageSecret;

    KeySchedule(TlsCrypto crypto, CipherSuite.Hash hash) {
        this.crypto = crypto;
        this.hash = hash;
        this.emptyHash = EMPTY_HASHES.get(hash);
    }

    /** Hash of the empty string per hash (Derive-Secret's context for "derived"), computed once. */
    private static final Map<CipherSuite.Hash, byte[]> EMPTY_HASHES = emptyHashes();

    private static Map<CipherSuite.Hash, byte[]> emptyHashes() {
        Map<CipherSuite.Hash, byte[]> m = new EnumMap<>(CipherSuite.Hash.class);
        for (CipherSuite.Hash h : CipherSuite.Hash.values()) {
            try {
                m.put(h, MessageDigest.getInstance(h.jcaName).digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + h.jcaName, e);
            }
        }
        return m;
    }

    CipherSuite.Hash hash() {
        return hash;
    }

    /** Early secret = HKDF-Extract(0, PSK), with a zero PSK when none is used (section 7.1). */
    void startEarly(byte[] psk) {
        byte[] ikm = psk != null ? psk : new byte[hash.length];
        stageSecret = extract(new byte[hash.length], ikm);
    }

    /**
     * The binder of a resumption PSK over {@code truncatedHelloHash} (section 4.2.11.2): the Finished
     * computation keyed with binder_key = Derive-Secret(early secret, "res binder", ""). Call after
     * {@link #startEarly} with the PSK.
     */
    byte[] resumptionBinder(byte[] truncatedHelloHash) {
        byte[] binderKey = deriveSecret("res binder", emptyHash);
        try {
            return finishedVerifyData(binderKey, truncatedHelloHash);
        } finally {
            wipe(binderKey);
        }
    }

    /** Handshake secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE). */
    void startHandshake(byte[] sharedSecret) {
        stageSecret = extractFromDerived(sharedSecret);
    }

    /** Master secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0). */
    void startMaster() {
        stageSecret = extractFromDerived(new byte[hash.length]);
    }

    private byte[] extractFromDerived(byte[] ikm) {
        byte[] salt = expandLabel(stageSecret, "derived", emptyHash, hash.length);
        wipe(stageSecret);
        return extract(salt, ikm);
    }

    /** Derive-Secret(current stage secret, label, transcript hash). */
    byte[] deriveSecret(String label, byte[] transcriptHash) {
        return expandLabel(stageSecret, label, transcriptHash, hash.length);
    }

    /** The traffic key of a traffic secret (section 7.3). */
    byte[] trafficKey(byte[] trafficSecret, int keyLength) {
        return expandLabel(trafficSecret, "key", Bytes.EMPTY, keyLength);
    }

    /** The traffic IV of a traffic secret (section 7.3). */
    byte[] trafficIv(byte[] trafficSecret) {
        return expandLabel(trafficSecret, "iv", Bytes.EMPTY, CipherSuite.IV_LENGTH);
    }

    /** application_traffic_secret_N+1 (section 7.2). */
    byte[] nextTrafficSecret(byte[] trafficSecret) {
        return expandLabel(trafficSecret, "traffic upd", Bytes.EMPTY, hash.length);
    }

    /** The Finished verify_data for a base key and transcript hash (section 4.4.4). */
    byte[] finishedVerifyData(byte[] baseKey, byte[] transcriptHash) {
        byte[] finishedKey = expandLabel(baseKey, "finished", Bytes.EMPTY, hash.length);
        try {
            return crypto.createSecret(finishedKey).calculateHMAC(hash.cryptoHash, transcriptHash, 0, transcriptHash.length);
        } finally {
            wipe(finishedKey);
        }
    }

    /** Wipes the stage secret; the schedule cannot derive anything afterwards. */
    void destroy() {
        wipe(stageSecret);
        stageSecret = null;
    }

    byte[] extract(byte[] salt, byte[] ikm) {
        TlsSecret saltSecret = crypto.createSecret(salt);
        TlsSecret ikmSecret = crypto.createSecret(ikm);
        byte[] result = saltSecret.hkdfExtract(hash.cryptoHash, ikmSecret).extract();
        ikmSecret.destroy();
        wipe(salt);
        return result;
    }

    byte[] expandLabel(byte[] secret, String label, byte[] context, int length) {
        TlsSecret base = crypto.createSecret(secret);
        try {
            return TlsCryptoUtils.hkdfExpandLabel(base, hash.cryptoHash, label, context, length).extract();
        } catch (IOException e) {
            throw new IllegalStateException("HKDF-Expand-Label(" + label + ") failed", e);
        } finally {
            base.destroy();
        }
    }

    static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
