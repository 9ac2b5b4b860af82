package dev.asyncjsse.nio;

import java.io.IOException;

/**
 * Thrown by a non-blocking {@link TlsChannel} operation that cannot go on now. The subclass says what
 * it waits for; repeat the same call when that has happened. Nothing is lost: every byte the call
 * consumed is accounted for in the buffers' positions.
 *
 * <ul>
 * <li>{@link NeedsReadException}: wait until the socket is readable ({@code OP_READ}).
 * <li>{@link NeedsWriteException}: wait until the socket is writable ({@code OP_WRITE}).
 * <li>{@link OffloadPendingException}: a private-key operation runs elsewhere; wait for the channel's
 *     offload wake-up (no selector interest is needed meanwhile).
 * </ul>
 *
 * <p>These exceptions carry no stack trace; they are control flow, not errors.
 */
public abstract class WouldBlockException extends IOException {

    WouldBlockException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
