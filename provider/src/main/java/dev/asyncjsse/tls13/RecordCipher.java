package dev.asyncjsse.tls13;

import dev.asyncjsse.jca.CryptoProviders;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Record protection in one direction (RFC 8446, section 5.2): an AEAD over the caller's buffers, with
 * the per-record nonce of section 5.3 (the traffic IV XOR the 64-bit sequence number) and the record
 * header as additional data.
 *
 * <p>Sealing is done in three calls so that plaintext can be gathered from several buffers:
 * {@link #begin} writes the header and starts the cipher, {@link #update} encrypts a run of plaintext,
 * {@link #finish} appends the inner content type, the padding and the tag. Opening is one call.
 * Nothing is copied through an intermediate buffer and this class allocates nothing per record; the
 * JCA asks for a parameter object on every {@code Cipher.init}, which is the only per-record object.
 *
 * <p>Internal. Not thread-safe: one direction of one connection.
 */
final class RecordCipher {

    static final int HEADER_LENGTH = 5;
    static final int APPLICATION_DATA = 23;

    private final CipherSuite suite;
    private final Cipher cipher;
    private final int mode;
    private final boolean chacha;
    private final byte[] iv = new byte[CipherSuite.IV_LENGTH];
    private final byte[] nonce = new byte[CipherSuite.IV_LENGTH];
    private final byte[] header = new byte[HEADER_LENGTH];
    private final ByteBuffer trailer = ByteBuffer.allocate(1 + MAX_PADDING);
    private SecretKeySpec key;
    private long sequence;
    private long recordsUnderKey;

    /** The most padding {@link #finish} adds. */
    static final int MAX_PADDING = 255;

    private RecordCipher(CipherSuite suite, boolean encrypting) throws GeneralSecurityException {
        this.suite = suite;
        this.cipher = CryptoProviders.aeadCipher(suite.transformation);
        this.mode = encrypting ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        this.chacha = suite == CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
    }

    static RecordCipher sealing(CipherSuite suite, byte[] key, byte[] iv) throws GeneralSecurityException {
        RecordCipher c = new RecordCipher(suite, true);
        c.rekey(key, iv);
        return c;
    }

    static RecordCipher opening(CipherSuite suite, byte[] key, byte[] iv) throws GeneralSecurityException {
        RecordCipher c = new RecordCipher(suite, false);
        c.rekey(key, iv);
        return c;
    }

    /** Installs new traffic keys (after a KeyUpdate) and restarts the sequence at zero (section 5.3). */
    void rekey(byte[] newKey, byte[] newIv) {
        if (newKey.length != suite.keyLength || newIv.length != CipherSuite.IV_LENGTH) {
            throw new IllegalArgumentException("key or IV of the wrong length for " + suite);
        }
        key = new SecretKeySpec(newKey, suite.keyAlgorithm);
        System.arraycopy(newIv, 0, iv, 0, iv.length);
        sequence = 0;
        recordsUnderKey = 0;
    }

    /** Records protected under the current key. */
    long recordsUnderKey() {
        return recordsUnderKey;
    }

    /** Bytes a record with {@code plaintext} bytes of content and {@code padding} zeros takes on the wire. */
    static int sealedLength(int plaintext, int padding) {
        return HEADER_LENGTH + plaintext + 1 + padding + CipherSuite.TAG_LENGTH;
    }

    /**
     * Starts a record of {@code plaintextLength} content bytes and {@code padding} zeros: writes its
     * header at {@code dst}'s position. The caller has checked that {@link #sealedLength} bytes fit.
     */
    void begin(int plaintextLength, int padding, ByteBuffer dst) throws GeneralSecurityException {
        int length = plaintextLength + 1 + padding + CipherSuite.TAG_LENGTH;
        header[0] = APPLICATION_DATA;
        header[1] = 3;
        header[2] = 3;
        header[3] = (byte) (length >>> 8);
        header[4] = (byte) length;
        dst.put(header);
        start();
    }

    /** Encrypts the next {@code length} bytes of {@code src} into {@code dst}; both positions advance. */
    void update(ByteBuffer src, int length, ByteBuffer dst) throws GeneralSecurityException {
        int limit = src.limit();
        src.limit(src.position() + length);
        try {
            cipher.update(src, dst);
        } finally {
            src.limit(limit);
        }
    }

    /** Ends the record: the inner content type, {@code padding} zeros, and the tag. */
    void finish(int contentType, int padding, ByteBuffer dst) throws GeneralSecurityException {
        trailer.clear();
        trailer.put((byte) contentType);
        for (int i = 0; i < padding; i++) {
            trailer.put((byte) 0);
        }
        trailer.flip();
        cipher.doFinal(trailer, dst);
        advance();
    }

    /**
     * Opens the protected record of {@code recordLength} bytes (header included) at {@code src}'s
     * position into {@code dst}, which must have {@code recordLength - 5 - 16} bytes of room. On
     * success {@code src} is past the record and {@code dst} past the inner plaintext, content type
     * and padding included.
     *
     * @return the length of the inner plaintext (content, type byte and padding)
     * @throws AEADBadTagException if the record does not authenticate; nothing has moved
     */
    int open(ByteBuffer src, int recordLength, ByteBuffer dst) throws GeneralSecurityException {
        int start = src.position();
        for (int i = 0; i < HEADER_LENGTH; i++) {
            header[i] = src.get(start + i);
        }
        int dstStart = dst.position();
        int limit = src.limit();
        src.position(start + HEADER_LENGTH);
        src.limit(start + recordLength);
        try {
            start();
            int n = cipher.doFinal(src, dst);
            advance();
            return n;
        } catch (GeneralSecurityException | RuntimeException e) {
            src.position(start);
            dst.position(dstStart);
            forgetNonce();
            throw e;
        } finally {
            src.limit(limit);
        }
    }

    private void start() throws GeneralSecurityException {
        long seq = sequence;
        System.arraycopy(iv, 0, nonce, 0, nonce.length);
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (seq >>> (8 * i));
        }
        AlgorithmParameterSpec spec = !chacha
                ? new GCMParameterSpec(CipherSuite.TAG_LENGTH * 8, nonce)
                : new IvParameterSpec(nonce);
        cipher.init(mode, key, spec);
        cipher.updateAAD(header);
    }

    /**
     * After a record failed to open, the same sequence number (and so the same nonce) is tried again on
     * the next record (skipped early data, section 4.2.10). The JDK's ChaCha20-Poly1305 refuses an
     * {@code init} with the key and nonce of the one before, even to decrypt, so the cipher is moved to
     * a nonce no record uses here.
     */
    private void forgetNonce() {
        if (chacha) {
            nonce[0] ^= (byte) 0x80;
            try {
                cipher.init(mode, key, new IvParameterSpec(nonce));
            } catch (GeneralSecurityException | RuntimeException e) {
                // the next start() reports any real problem with the key
            }
        }
    }

    private void advance() {
        // Section 5.3: a sequence number must never wrap; the engine updates keys long before.
        if (++sequence == 0) {
            throw new IllegalStateException("record sequence number exhausted");
        }
        recordsUnderKey++;
    }
}
