package dev.asyncjsse;

/**
 * The outcome of the last asynchronous step of an {@link AsyncSSLEngine}, in the sense of OpenSSL's
 * {@code SSL_get_async_status}.
 *
 * <p>Read it with {@link AsyncSSLEngine#getAsyncStatus()} from the thread that drives the engine.
 */
public enum AsyncStatus {
    /** No key offloader is configured for the engine, or the engine's key is not offloaded. */
    UNSUPPORTED,
    /** The last step was dispatched to a job, or has completed. */
    OK,
    /**
     * The step was not submitted because the job capacity or the offloader's queue is full. No input
     * was consumed. The offload callback fires once a retry can succeed.
     */
    EAGAIN,
    /**
     * The offloaded operation failed or timed out. The handshake fails with an
     * {@link javax.net.ssl.SSLHandshakeException} that names the cause.
     */
    ERR
}
