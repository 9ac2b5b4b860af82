package dev.asyncjsse.monitor;

/**
 * How a private-key operation ended, as the {@code dev.asyncjsse.KeyOperation} JFR event and the
 * context's MBean report it.
 *
 * <p>Internal: not part of the public API; the {@link #label()}s are what operators see.
 */
public enum KeyOperationOutcome {
    /** The offloader delivered a result. */
    OK("ok"),
    /** The offloader's stage failed, or the offloader threw or returned nothing. */
    FAILED("failed"),
    /** The operation outlived the offload timeout and was given up. */
    TIMED_OUT("timed out"),
    /** The engine was closed while the operation was pending. */
    CANCELLED("cancelled"),
    /** Not submitted: the offloader or the job capacity was exhausted ({@code AsyncStatus.EAGAIN}). */
    EAGAIN("EAGAIN");

    private final String label;

    KeyOperationOutcome(String label) {
        this.label = label;
    }

    /** The word used in events, attributes and log lines. */
    public String label() {
        return label;
    }
}
