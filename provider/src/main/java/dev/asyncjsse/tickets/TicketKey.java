package dev.asyncjsse.tickets;

import dev.asyncjsse.jca.CryptoProviders;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * One ticket key: a 16-byte public name, which every ticket it seals starts with, and an AES-256-GCM
 * key derived from the secret bytes that follow the name.
 *
 * <p>Ticket layout: name (16) ‖ nonce (12) ‖ ciphertext ‖ tag (16), with the name as associated data,
 * so a ticket cannot be moved under another key's name. The nonce is random: a key should seal fewer
 * than 2^32 tickets (NIST SP 800-38D, section 8.3), which the rotation of random keys and the
 * operators' rotation of shared keys keep far away.
 *
 * <p>Key derivation: HKDF-SHA256 (Bouncy Castle's) over the secret bytes, with a fixed salt and the
 * name in the info, so that the same 48 or 80 bytes give the same key on every server of a fleet and
 * the name is bound to the key.
 *
 * <p>Internal. Immutable and thread-safe; each call makes its own {@code Cipher}.
 */
final class TicketKey {

    static final int NAME_BYTES = 16;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    /** The bytes a ticket adds to its body. */
    static final int OVERHEAD = NAME_BYTES + NONCE_BYTES + TAG_BYTES;
    /** Name and one 32-byte secret. */
    static final int SHORT_LENGTH = NAME_BYTES + 32;
    /** The layout of nginx's and HAProxy's ticket key files: name, then two 32-byte secrets. */
    static final int LONG_LENGTH = NAME_BYTES + 64;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final byte[] SALT = "dev.asyncjsse session ticket key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO_LABEL = "AES-256-GCM ".getBytes(StandardCharsets.US_ASCII);
    private static final int AES_KEY_BYTES = 32;

    private final byte[] name;
    private final SecretKeySpec aes;

    private TicketKey(byte[] name, SecretKeySpec aes) {
        this.name = name;
        this.aes = aes;
    }

    /**
     * The key of {@code material}: {@value #SHORT_LENGTH} or {@value #LONG_LENGTH} bytes, the first 16
     * being the name. The array is not kept.
     *
     * @throws IllegalArgumentException if the length is neither; the message gives the length only
     */
    static TicketKey of(byte[] material) {
        if (material == null) {
            throw new IllegalArgumentException("a ticket key must not be null");
        }
        if (material.length != SHORT_LENGTH && material.length != LONG_LENGTH) {
            throw new IllegalArgumentException("a ticket key is " + SHORT_LENGTH + " or " + LONG_LENGTH
                    + " bytes (16-byte name, then the secret), not " + material.length);
        }
        byte[] name = Arrays.copyOf(material, NAME_BYTES);
        byte[] info = new byte[INFO_LABEL.length + NAME_BYTES];
        System.arraycopy(INFO_LABEL, 0, info, 0, INFO_LABEL.length);
        System.arraycopy(name, 0, info, INFO_LABEL.length, NAME_BYTES);
        byte[] secret = Arrays.copyOfRange(material, NAME_BYTES, material.length);
        byte[] aesKey = new byte[AES_KEY_BYTES];
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(secret, SALT, info));
        hkdf.generateBytes(aesKey, 0, aesKey.length);
        try {
            return new TicketKey(name, new SecretKeySpec(aesKey, "AES"));
        } finally {
            Arrays.fill(secret, (byte) 0);
            Arrays.fill(aesKey, (byte) 0);
        }
    }

    /**
     * The keys of {@code materials}, in order, each checked as {@link #of} does and all with distinct
     * names (else a ticket would not say which key sealed it).
     *
     * @param label names the key at an index in messages ("ticket key 2 of 3", "line 7")
     * @throws IllegalArgumentException naming the key by its label, never showing key bytes
     */
    static TicketKey[] ofAll(List<byte[]> materials, IntFunction<String> label) {
        TicketKey[] keys = new TicketKey[materials.size()];
        for (int i = 0; i < keys.length; i++) {
            try {
                keys[i] = of(materials.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(label.apply(i) + ": " + e.getMessage(), e);
            }
            for (int j = 0; j < i; j++) {
                if (Arrays.equals(keys[j].name, keys[i].name)) {
                    throw new IllegalArgumentException(label.apply(j) + " and " + label.apply(i)
                            + " have the same name (first 16 bytes): a ticket would not say which key sealed it");
                }
            }
        }
        return keys;
    }

    /** A new key with a random name and secret. */
    static TicketKey random(SecureRandom random) {
        byte[] material = new byte[SHORT_LENGTH];
        random.nextBytes(material);
        try {
            return of(material);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /** Whether {@code ticket}, at least {@link #NAME_BYTES} long, starts with this key's name. */
    boolean names(byte[] ticket) {
        return Arrays.equals(name, 0, NAME_BYTES, ticket, 0, NAME_BYTES);
    }

    /** Seals {@code body} under this key with a fresh nonce from {@code random}. */
    byte[] seal(byte[] body, SecureRandom random) {
        byte[] ticket = new byte[OVERHEAD + body.length];
        System.arraycopy(name, 0, ticket, 0, NAME_BYTES);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, ticket, NAME_BYTES, NONCE_BYTES);
        try {
            Cipher cipher = CryptoProviders.aeadCipher(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD(name);
            int written = cipher.doFinal(body, 0, body.length, ticket, NAME_BYTES + NONCE_BYTES);
            if (written != body.length + TAG_BYTES) {
                throw new IllegalStateException("AES-GCM wrote " + written + " bytes for a " + body.length + "-byte body");
            }
            return ticket;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no provider can seal a ticket with " + TRANSFORMATION, e);
        }
    }

    /**
     * The body of {@code ticket}, which this key {@linkplain #names names} and which is at least
     * {@link #OVERHEAD} long, or {@code null} if its tag does not verify.
     */
    byte[] open(byte[] ticket) {
        try {
            Cipher cipher = CryptoProviders.aeadCipher(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, aes, new GCMParameterSpec(TAG_BYTES * 8, ticket, NAME_BYTES, NONCE_BYTES));
            cipher.updateAAD(ticket, 0, NAME_BYTES);
            int offset = NAME_BYTES + NONCE_BYTES;
            return cipher.doFinal(ticket, offset, ticket.length - offset);
        } catch (AEADBadTagException e) {
            // forged, damaged, or sealed by another key with the same name: merely unusable
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no provider can open a ticket with " + TRANSFORMATION, e);
        }
    }
}
