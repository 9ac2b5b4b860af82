package dev.asyncjsse.nio;

/**
 * A handshake step is parked on an offloaded private-key operation. Do not drive the channel (no
 * selector interest is needed); the channel's offload wake-up (see
 * {@link TlsChannelBuilder#offloadWakeup}) runs once the step is done, and then the same call should
 * be repeated. The wake-up may run before this exception reaches the caller; a loop that queues the
 * channel in the wake-up and drains its queue after each {@code select} handles that naturally.
 */
public final class OffloadPendingException extends WouldBlockException {

    /** Creates the exception. */
    public OffloadPendingException() {
        super("a handshake step waits for an offloaded key operation");
    }
}
