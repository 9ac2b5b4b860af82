package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Record protection between buffers of every kind: heap, direct, slices of arrays at an offset. */
class RecordCipherTest {

    enum Kind { HEAP, DIRECT, OFFSET_SLICE }

    private static ByteBuffer buffer(Kind kind, int capacity) {
        switch (kind) {
            case HEAP:
                return ByteBuffer.allocate(capacity);
            case DIRECT:
                return ByteBuffer.allocateDirect(capacity);
            case OFFSET_SLICE:
                // a buffer whose array offset is not zero and whose position starts mid-way
                ByteBuffer backing = ByteBuffer.allocate(capacity + 64);
                backing.position(37);
                ByteBuffer slice = backing.slice();
                slice.position(3);
                return slice;
            default:
                throw new AssertionError(kind);
        }
    }

    /** A buffer of {@code kind} whose remaining bytes are {@code content}, starting wherever the kind starts. */
    private static ByteBuffer filled(Kind kind, byte[] content) {
        ByteBuffer b = buffer(kind, content.length);
        int start = b.position();
        b.put(content);
        b.limit(b.position());
        b.position(start);
        return b;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static RecordCipher[] pair(CipherSuite suite) throws Exception {
        byte[] key = random(suite.keyLength, 1);
        byte[] iv = random(12, 2);
        return new RecordCipher[] {RecordCipher.sealing(suite, key, iv), RecordCipher.opening(suite, key, iv)};
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void roundTripsAcrossBufferKindsWithGatherAndPadding(CipherSuite suite) throws Exception {
        RecordCipher[] ciphers = pair(suite);
        for (Kind in : Kind.values()) {
            for (Kind out : Kind.values()) {
                byte[] first = random(1000, 3);
                byte[] second = random(15000, 4);
                ByteBuffer a = filled(in, first);
                ByteBuffer b = filled(in, second);
                ByteBuffer wire = buffer(out, RecordCipher.sealedLength(16000, 7) + 10);
                int wireStart = wire.position();
                ciphers[0].begin(16000, 7, wire);
                ciphers[0].update(a, 1000, wire);
                ciphers[0].update(b, 15000, wire);
                ciphers[0].finish(23, 7, wire);
                assertEquals(RecordCipher.sealedLength(16000, 7), wire.position() - wireStart);
                assertEquals(0, a.remaining());
                assertEquals(0, b.remaining());

                wire.flip();
                wire.position(wireStart);
                ByteBuffer plain = buffer(in, 16000 + 8 + 16);
                int plainStart = plain.position();
                int n = ciphers[1].open(wire, RecordCipher.sealedLength(16000, 7), plain);
                assertEquals(16000 + 1 + 7, n);
                assertEquals(0, wire.remaining());
                byte[] got = new byte[n];
                plain.position(plainStart);
                plain.get(got);
                byte[] expected = new byte[16008];
                System.arraycopy(first, 0, expected, 0, 1000);
                System.arraycopy(second, 0, expected, 1000, 15000);
                expected[16000] = 23;
                assertArrayEquals(expected, got, suite + " " + in + " -> " + out);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void aTamperedRecordFailsAndMovesNothing(CipherSuite suite) throws Exception {
        RecordCipher[] ciphers = pair(suite);
        ByteBuffer wire = ByteBuffer.allocate(200);
        ciphers[0].begin(10, 0, wire);
        ciphers[0].update(ByteBuffer.wrap(random(10, 5)), 10, wire);
        ciphers[0].finish(23, 0, wire);
        wire.flip();
        int length = wire.remaining();
        for (int flip : new int[] {3, 4, 5, length - 1}) {
            ByteBuffer bad = ByteBuffer.wrap(wire.array().clone(), 0, length);
            bad.put(flip, (byte) (bad.get(flip) ^ 1));
            ByteBuffer out = ByteBuffer.allocate(100);
            assertThrows(AEADBadTagException.class, () -> ciphers[1].open(bad, length, out), "byte " + flip);
            assertEquals(0, bad.position());
            assertEquals(0, out.position());
        }
        // the failures did not advance the sequence: the genuine record still opens
        ByteBuffer out = ByteBuffer.allocate(100);
        assertEquals(11, ciphers[1].open(wire, length, out));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void sequenceNumbersAdvancePerRecordAndRestartOnRekey(CipherSuite suite) throws Exception {
        RecordCipher[] ciphers = pair(suite);
        ByteBuffer wire = ByteBuffer.allocate(300);
        for (int i = 0; i < 3; i++) {
            ciphers[0].begin(1, 0, wire);
            ciphers[0].update(ByteBuffer.wrap(new byte[] {(byte) i}), 1, wire);
            ciphers[0].finish(23, 0, wire);
        }
        wire.flip();
        int one = RecordCipher.sealedLength(1, 0);
        ByteBuffer skipFirst = wire.duplicate();
        skipFirst.position(one);
        // the second record does not open as the first: its nonce differs
        assertThrows(AEADBadTagException.class, () -> ciphers[1].open(skipFirst, one, ByteBuffer.allocate(50)));
        for (int i = 0; i < 3; i++) {
            ByteBuffer out = ByteBuffer.allocate(50);
            ciphers[1].open(wire, one, out);
            assertEquals(i, out.get(0));
        }
        assertEquals(3, ciphers[1].recordsUnderKey());

        byte[] key = random(suite.keyLength, 9);
        byte[] iv = random(12, 10);
        ciphers[0].rekey(key, iv);
        ciphers[1].rekey(key, iv);
        ByteBuffer next = ByteBuffer.allocate(100);
        ciphers[0].begin(2, 0, next);
        ciphers[0].update(ByteBuffer.wrap(new byte[] {7, 8}), 2, next);
        ciphers[0].finish(23, 0, next);
        next.flip();
        ByteBuffer out = ByteBuffer.allocate(50);
        assertEquals(3, ciphers[1].open(next, next.remaining(), out));
        assertEquals(1, ciphers[1].recordsUnderKey());
    }
}
