package dev.asyncjsse.tls13;

import java.security.MessageDigest;

/**
 * The running transcript hash of a handshake (RFC 8446, section 4.4.1), over the JDK's
 * {@link MessageDigest}: intermediate hashes come from a clone, so the running digest goes on.
 *
 * <p>Internal. Not thread-safe.
 */
final class Transcript {

    private static final int MESSAGE_HASH = 254;

    private final MessageDigest digest;

    Transcript(MessageDigest digest) {
        this.digest = digest;
    }

    void add(byte[] message, int off, int len) {
        digest.update(message, off, len);
    }

    void add(byte[] message) {
        digest.update(message);
    }

    /** Transcript-Hash of everything added so far. */
    byte[] hash() {
        return running().digest();
    }

    /**
     * Transcript-Hash of everything added so far followed by {@code len} bytes at {@code off}, which
     * are not added: the hash a PSK binder covers, over a truncated ClientHello (section 4.2.11.2).
     */
    byte[] hashWith(byte[] message, int off, int len) {
        MessageDigest d = running();
        d.update(message, off, len);
        return d.digest();
    }

    /** A copy of the running digest, to finish without ending the transcript. */
    private MessageDigest running() {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's " + digest.getAlgorithm() + " cannot be cloned", e);
        }
    }

    /**
     * After a HelloRetryRequest the first ClientHello is replaced by a synthetic message_hash message
     * holding its hash (section 4.4.1).
     */
    void replaceWithMessageHash() {
        byte[] h = digest.digest();
        digest.update(new byte[] {(byte) MESSAGE_HASH, 0, 0, (byte) h.length});
        digest.update(h);
    }
}
