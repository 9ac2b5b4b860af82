package dev.asyncjsse.jca;

import java.lang.ref.WeakReference;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Bouncy Castle's own form of the JDK's EC private keys, for signing with Bouncy Castle's provider.
 *
 * <p>Bouncy Castle signs with a foreign {@code java.security.interfaces.ECPrivateKey} by rebuilding
 * its domain parameters on every call, which on P-256 makes a signature about three times as
 * expensive as with a key of its own (measured on JDK 17: ~176 µs against ~55 µs). Key managers hand
 * out the same key object handshake after handshake, so the translated key is kept per key object,
 * in a small table indexed by identity: the original is held weakly, a slot is simply overwritten
 * when another key hashes to it, and nothing is ever compared by value.
 *
 * <p>Keys that are not software EC keys (RSA, EdDSA, hardware keys without an encoding) are
 * returned unchanged, as is any key the translation refuses.
 *
 * <p>Internal. Thread-safe and lock-free.
 */
final class BcPrivateKeys {

    private static final int SLOTS = 64;
    private static final AtomicReferenceArray<Entry> TABLE = new AtomicReferenceArray<>(SLOTS);

    private BcPrivateKeys() {}

    private static final class Entry {
        final WeakReference<PrivateKey> original;
        final PrivateKey translated;

        Entry(PrivateKey original, PrivateKey translated) {
            this.original = new WeakReference<>(original);
            this.translated = translated;
        }
    }

    static PrivateKey forBouncyCastle(PrivateKey key) {
        if (!(key instanceof java.security.interfaces.ECPrivateKey)
                || key instanceof org.bouncycastle.jce.interfaces.ECPrivateKey) {
            return key;
        }
        int slot = System.identityHashCode(key) & (SLOTS - 1);
        Entry entry = TABLE.get(slot);
        if (entry != null && entry.original.get() == key) {
            return entry.translated;
        }
        PrivateKey translated;
        try {
            Key k = KeyFactory.getInstance("EC", CryptoProviders.bouncyCastle()).translateKey(key);
            if (!(k instanceof PrivateKey)) {
                return key;
            }
            translated = (PrivateKey) k;
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
        TABLE.set(slot, new Entry(key, translated));
        return translated;
    }
}
