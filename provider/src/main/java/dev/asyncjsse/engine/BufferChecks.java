package dev.asyncjsse.engine;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * The argument checks that {@code javax.net.ssl.SSLEngine} documents for {@code wrap} and
 * {@code unwrap}, applied before any state changes so a bad call changes nothing.
 *
 * <p>Internal.
 */
final class BufferChecks {

    private BufferChecks() {}

    static void checkWrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) {
        checkArray(srcs, offset, length, "srcs");
        if (dst == null) {
            throw new IllegalArgumentException("dst must not be null");
        }
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
    }

    static void checkUnwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) {
        if (src == null) {
            throw new IllegalArgumentException("src must not be null");
        }
        checkArray(dsts, offset, length, "dsts");
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) {
                throw new ReadOnlyBufferException();
            }
        }
    }

    private static void checkArray(ByteBuffer[] buffers, int offset, int length, String name) {
        if (buffers == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (offset < 0 || length < 0 || offset > buffers.length - length) {
            throw new IndexOutOfBoundsException(name + ": offset " + offset + " and length " + length
                    + " do not fit an array of " + buffers.length);
        }
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i] == null) {
                throw new IllegalArgumentException(name + "[" + i + "] must not be null");
            }
        }
    }
}
