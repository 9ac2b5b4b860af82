package dev.asyncjsse.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.SynchronousQueue;

/**
 * A thread of its own for the other side of an in-memory connection (the benchmark's client), so
 * that the side under measurement runs as it does in production: a TLS server does not run a TLS
 * client between its own steps, so its caches (Bouncy Castle's precomputed point tables, the JIT's
 * code, the engine's state) are not evicted by one. The calling thread hands one step at a time over
 * ({@link #call}) and waits for it, so the two sides still take turns exactly as on one thread; only
 * the thread (and, on an idle machine, the core) differs.
 *
 * <p>Threads: one daemon thread per instance, started by the constructor and ended by
 * {@link #close}; {@link #call} is for one calling thread at a time. Failure: an
 * exception or error thrown by the step is rethrown to the caller as itself.
 */
final class PeerThread {

    private final SynchronousQueue<Callable<?>> steps = new SynchronousQueue<>();
    private final SynchronousQueue<Object[]> results = new SynchronousQueue<>();
    private final Thread thread;

    PeerThread(String name) {
        thread = new Thread(this::serve, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The thread's id. */
    long id() {
        return thread.getId();
    }

    /** Ends the thread once it is idle; {@link #call} must not be used afterwards. */
    void close() {
        thread.interrupt();
    }

    /** Runs {@code step} on this thread and returns its result (or throws what it threw). */
    @SuppressWarnings("unchecked")
    <T> T call(Callable<T> step) throws Exception {
        steps.put(step);
        Object[] outcome = results.take();
        if (outcome[1] instanceof Error) {
            throw (Error) outcome[1];
        }
        if (outcome[1] != null) {
            throw (Exception) outcome[1];
        }
        return (T) outcome[0];
    }

    private void serve() {
        try {
            while (true) {
                Callable<?> step = steps.take();
                Object[] outcome = new Object[2];
                try {
                    outcome[0] = step.call();
                } catch (Exception | Error e) {
                    outcome[1] = e;
                }
                results.put(outcome);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
