package dev.asyncjsse.tls13;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;

/**
 * Records waiting to be written by {@code wrap}: handshake messages, ChangeCipherSpec, alerts. Each
 * run of bytes is queued with the keys that protect it (none, the handshake keys, the application
 * keys) and is cut into records of at most 2^14 bytes when written (RFC 8446, section 5.1).
 *
 * <p>The write keys are resolved when a record is written, so an alert queued after a failure is
 * protected like the last record that actually went out ({@link #lastWrittenEpoch}).
 *
 * <p>Internal. Not thread-safe: owned by one engine, used under its caller's serialization.
 */
final class OutboundQueue {

    static final int PLAINTEXT = 0;
    static final int HANDSHAKE_KEYS = 1;
    static final int APPLICATION_KEYS = 2;

    static final int MAX_FRAGMENT = 1 << 14;

    /** Supplies the cipher of an epoch, and learns when one was written, for key updates. */
    interface Keys {
        RecordCipher writeCipher(int epoch);
    }

    private static final class Segment {
        final int epoch;
        final int contentType;
        final byte[] data;
        int pos;
        final Runnable afterWritten;
        /** Whether application data may follow this segment in the same {@code wrap} (a NewSessionTicket may). */
        final boolean dataMayFollow;

        Segment(int epoch, int contentType, byte[] data, Runnable afterWritten, boolean dataMayFollow) {
            this.epoch = epoch;
            this.contentType = contentType;
            this.data = data;
            this.afterWritten = afterWritten;
            this.dataMayFollow = dataMayFollow;
        }
    }

    private final ArrayDeque<Segment> queue = new ArrayDeque<>();
    private final byte[] plainHeader = new byte[5];
    private int lastWrittenEpoch = PLAINTEXT;

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int lastWrittenEpoch() {
        return lastWrittenEpoch;
    }

    /** The epoch a record queued now would be written with: that of the last queued or written record. */
    int currentEpoch() {
        Segment tail = queue.peekLast();
        return tail != null ? tail.epoch : lastWrittenEpoch;
    }

    /**
     * Records that the peer now expects records under {@code epoch} although none was written with
     * it yet: after the server's Finished the client reads with the server's application keys.
     */
    void advanceTo(int epoch) {
        lastWrittenEpoch = epoch;
    }

    void add(int epoch, int contentType, byte[] data) {
        add(epoch, contentType, data, null);
    }

    /** Queues {@code data}; {@code afterWritten} runs once its last byte is written (a key change). */
    void add(int epoch, int contentType, byte[] data, Runnable afterWritten) {
        queue.add(new Segment(epoch, contentType, data, afterWritten, false));
    }

    /** Queues {@code data} that application data may follow in the same {@code wrap} once it is all written. */
    void addBeforeData(int epoch, int contentType, byte[] data) {
        queue.add(new Segment(epoch, contentType, data, null, true));
    }

    /**
     * Whether something is queued and all of it may be followed by application data in the same
     * {@code wrap}: NewSessionTickets may, a KeyUpdate, an alert or a handshake flight goes out alone.
     */
    boolean onlyBeforeData() {
        if (queue.isEmpty()) {
            return false;
        }
        for (Segment s : queue) {
            if (!s.dataMayFollow) {
                return false;
            }
        }
        return true;
    }

    /** Drops everything not yet written: after a failure only the alert goes out. */
    void clear() {
        queue.clear();
    }

    /**
     * Writes as many whole records as fit into {@code dst}.
     *
     * @return the bytes written; 0 with records still queued means the next record does not fit
     */
    int write(ByteBuffer dst, Keys keys) throws GeneralSecurityException {
        int start = dst.position();
        while (!queue.isEmpty()) {
            Segment s = queue.peek();
            int n = Math.min(MAX_FRAGMENT, s.data.length - s.pos);
            RecordCipher cipher = s.epoch == PLAINTEXT ? null : keys.writeCipher(s.epoch);
            int size = cipher == null ? 5 + n : RecordCipher.sealedLength(n, 0);
            if (dst.remaining() < size) {
                break;
            }
            if (cipher == null) {
                plainHeader[0] = (byte) s.contentType;
                plainHeader[1] = 3;
                plainHeader[2] = 3;
                plainHeader[3] = (byte) (n >>> 8);
                plainHeader[4] = (byte) n;
                dst.put(plainHeader);
                dst.put(s.data, s.pos, n);
            } else {
                cipher.begin(n, 0, dst);
                cipher.update(ByteBuffer.wrap(s.data, s.pos, n), n, dst);
                cipher.finish(s.contentType, 0, dst);
            }
            // a ChangeCipherSpec after the ServerHello is plaintext, yet the keys stay in force
            lastWrittenEpoch = Math.max(lastWrittenEpoch, s.epoch);
            s.pos += n;
            if (s.pos == s.data.length) {
                queue.poll();
                if (s.afterWritten != null) {
                    s.afterWritten.run();
                }
            }
        }
        return dst.position() - start;
    }
}
