package dev.asyncjsse.offload;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * One-shot listeners waiting for a resource to free up (job capacity, offloader room): each runs once,
 * when a unit is released, or at once if one is free when it registers. Used by {@link JobScheduler}
 * and {@link ExecutorKeyOffloader}.
 *
 * <p>Internal. Thread-safe and lock-free. Listeners run on the releasing thread and must be short.
 */
final class ListenerQueue {

    private final Queue<Runnable> listeners = new ConcurrentLinkedQueue<>();

    /**
     * Registers {@code listener}; runs it at once if {@code free} says a unit is free now. The listener
     * is queued before {@code free} is asked, so a release in between either sees it or is seen.
     */
    void add(Runnable listener, BooleanSupplier free) {
        listeners.add(listener);
        if (free.getAsBoolean() && listeners.remove(listener)) {
            listener.run();
        }
    }

    /** A unit was released: runs the oldest listener, if any. */
    void released() {
        Runnable listener = listeners.poll();
        if (listener != null) {
            listener.run();
        }
    }
}
