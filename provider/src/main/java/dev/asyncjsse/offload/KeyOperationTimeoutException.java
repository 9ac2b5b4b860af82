package dev.asyncjsse.offload;

import java.util.concurrent.CancellationException;

/**
 * Completes the stage of a key operation that outlived the offload timeout. It is a
 * {@link CancellationException}, so the offloader sees {@code isCancelled()} on its
 * {@code CompletableFuture} exactly as when the engine is closed and may stop working; the
 * offloader guard tells the two apart to count and report a timeout.
 *
 * <p>Internal: not part of the public API.
 */
public final class KeyOperationTimeoutException extends CancellationException {

    private static final long serialVersionUID = 1L;

    public KeyOperationTimeoutException(String message) {
        super(message);
    }
}
