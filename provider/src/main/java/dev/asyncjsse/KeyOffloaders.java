package dev.asyncjsse;

import dev.asyncjsse.offload.ExecutorKeyOffloader;
import dev.asyncjsse.offload.LatencyKeyOffloader;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Built-in {@link KeyOffloader}s.
 *
 * <p>All of them are thread-safe and may be shared by any number of contexts and engines.
 */
public final class KeyOffloaders {

    private KeyOffloaders() {}

    /**
     * Performs each operation with the JCA on {@code executor}. It serves software keys and keys of
     * an installed JCA provider such as SunPKCS11 (HSMs, smart cards): the operation is looked up by
     * algorithm name with the key, so the provider that owns the key does the work.
     *
     * <p>If {@code executor} rejects a task, that operation fails and its handshake fails with
     * {@link AsyncStatus#ERR}.
     *
     * @param executor where operations run; not {@code null}. Its threads are the ones that touch the key.
     * @return the offloader
     */
    public static KeyOffloader executor(Executor executor) {
        return new ExecutorKeyOffloader(executor, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #executor(Executor)}, with at most {@code maxInFlight} operations queued or running.
     * Beyond that the offloader reports itself saturated and new handshake steps get
     * {@link AsyncStatus#EAGAIN} until one finishes.
     *
     * @param executor where operations run
     * @param maxInFlight the queue bound, at least 1
     * @return the offloader
     */
    public static KeyOffloader executor(Executor executor, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        return new ExecutorKeyOffloader(executor, maxInFlight);
    }

    /**
     * Delays every operation of {@code delegate} by {@code latency} without holding a thread while it
     * waits: a stand-in for a remote key service, for benchmarks and tests.
     *
     * @param delegate the offloader that does the work
     * @param latency the added delay; zero adds none
     * @return the offloader
     */
    public static KeyOffloader withLatency(KeyOffloader delegate, Duration latency) {
        if (delegate == null || latency == null) {
            throw new IllegalArgumentException("delegate and latency must not be null");
        }
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative: " + latency);
        }
        return new LatencyKeyOffloader(delegate, latency);
    }
}
