package dev.asyncjsse;

/**
 * The wake-up call for a connection whose handshake step was parked on an offloaded operation
 * ({@code SSL_set_async_callback} in OpenSSL).
 *
 * <p><b>Threading.</b> Called once per completed parked step, and once when job capacity frees up
 * after an {@link AsyncStatus#EAGAIN}, from a thread that is not the application's: usually the
 * handshake job's thread after it has left the TLS engine. It is never called re-entrantly from
 * inside {@code wrap}/{@code unwrap}, and never after the engine was closed.
 *
 * <p><b>What to do in it.</b> Keep it short and non-blocking: typically put the connection on a
 * queue and call {@link java.nio.channels.Selector#wakeup()}. The engine is still driven by one
 * thread at a time, so do not call {@code wrap}/{@code unwrap} from the callback itself unless your
 * design makes that thread the only driver.
 *
 * <p><b>Failure.</b> An exception thrown by the callback is logged and otherwise ignored; it does
 * not affect the connection or any other.
 */
@FunctionalInterface
public interface OffloadCallback {
    /**
     * Signals that {@code engine} can make progress again.
     *
     * @param engine the engine whose step completed
     * @param arg the argument given with the callback, possibly {@code null}
     */
    void offloadComplete(AsyncSSLEngine engine, Object arg);
}
