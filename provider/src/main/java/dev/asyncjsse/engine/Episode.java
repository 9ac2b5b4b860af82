package dev.asyncjsse.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One wait of a protocol engine, from the call that met it to the call that goes on after it. It
 * decides, without locks, the two races of a pending step: whether the wait ended while the caller was
 * still registering it (then the caller, still inside the engine, must have the callback fired from
 * another thread) or later (then the thread that ends it fires the callback), so that exactly one
 * callback fires; and which of several threads gets the one delegated task.
 *
 * <p>Internal. Thread-safe.
 */
final class Episode {

    private static final int OPEN = 0;
    private static final int ARMED = 1;
    private static final int ENDED_BEFORE_ARMED = 2;

    final EngineWait wait;
    private final AtomicInteger phase = new AtomicInteger(OPEN);
    private final AtomicBoolean taskHandedOut = new AtomicBoolean();

    Episode(EngineWait wait) {
        this.wait = wait;
    }

    /**
     * The caller has registered for the end of the wait and is about to return the pending result.
     *
     * @return false if the wait has already ended: the caller must have the callback fired elsewhere
     */
    boolean arm() {
        return phase.compareAndSet(OPEN, ARMED);
    }

    /**
     * The wait has ended (runs once, on any thread).
     *
     * @return true if the caller had finished registering, so this thread must wake the application
     */
    boolean endedAfterArmed() {
        return !phase.compareAndSet(OPEN, ENDED_BEFORE_ARMED);
    }

    /** @return true for exactly one caller: the one that gets this episode's delegated task */
    boolean takeTask() {
        return taskHandedOut.compareAndSet(false, true);
    }
}
