package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.OffloadCallback;
import dev.asyncjsse.offload.DaemonThreads;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The application's wake-up callback of one engine, and the rule that it never runs after the engine
 * is closed: a callback runs under this gate's lock, and {@link #close()} takes the same lock, so a
 * close either waits for a callback that has started or keeps any later one from starting.
 *
 * <p>Internal. Thread-safe. The gate's lock is never taken while the engine's lock is held, except
 * to fire for a closed engine, which returns at once; so the two cannot deadlock.
 */
final class CallbackGate {

    private static final System.Logger LOG = System.getLogger(CallbackGate.class.getName());
    /** Runs the callbacks that must not run on the thread that found them due (it is inside the engine). */
    private static final Executor LATER = DaemonThreads.lazyPool("asyncjsse-callback-", 1);

    private final ReentrantLock lock = new ReentrantLock();
    private volatile Binding binding;
    private volatile boolean closed;

    CallbackGate(Binding initial) {
        this.binding = initial;
    }

    /** Replaces the callback and its argument as one value; {@code null} removes it. */
    void set(OffloadCallback callback, Object arg) {
        binding = new Binding(callback, arg);
    }

    /** From now on no callback starts; returns once a running one has returned. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the callback for {@code engine} unless the engine is closed. A callback that throws is
     * logged; the connection is not affected.
     */
    void fire(AsyncSSLEngine engine) {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            Binding b = binding;
            if (closed || b.callback == null) {
                return;
            }
            try {
                b.callback.offloadComplete(engine, b.arg);
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "offload callback threw; the connection is unaffected", e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #fire}, on another thread. */
    void fireLater(AsyncSSLEngine engine) {
        LATER.execute(() -> fire(engine));
    }

    /** A callback with its argument, replaced as one value so a reader never sees one without the other. */
    static final class Binding {
        static final Binding NONE = new Binding(null, null);

        final OffloadCallback callback;
        final Object arg;

        Binding(OffloadCallback callback, Object arg) {
            this.callback = callback;
            this.arg = arg;
        }
    }
}
