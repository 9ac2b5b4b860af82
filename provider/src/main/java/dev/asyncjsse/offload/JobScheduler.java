package dev.asyncjsse.offload;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs handshake jobs with bounded concurrency: virtual threads on JDK 24 and later (where parking
 * inside Bouncy Castle's {@code synchronized} engine methods no longer pins a carrier thread), and
 * a pool of platform threads that shrinks when idle before that.
 *
 * <p>When all permits are taken, {@link #trySubmit} returns false rather than blocking: the engine
 * reports {@code EAGAIN} and registers a {@link #whenCapacity} listener.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class JobScheduler {

    private static volatile JobScheduler shared;

    private final Semaphore permits;
    private final int capacity;
    private final ThreadFactory virtualFactory;
    private final ThreadPoolExecutor platformPool;
    private final ListenerQueue capacityListeners = new ListenerQueue();
    private final AtomicInteger active = new AtomicInteger();
    /**
     * Platform threads only: how many jobs may run (not park) at once. Virtual threads get this from
     * their carrier pool; without it, hundreds of runnable job threads starve the event loops of CPU.
     */
    private final Semaphore running;

    private JobScheduler(int capacity, boolean virtual, long keepAliveMillis) {
        this.capacity = capacity;
        this.permits = new Semaphore(capacity);
        if (virtual) {
            this.virtualFactory = VirtualThreads.factory("asyncjsse-job-");
            this.platformPool = null;
            this.running = null;
        } else {
            this.running = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));
            this.virtualFactory = null;
            // The semaphore bounds the jobs; the pool itself is unbounded, because a worker releases its
            // permit a moment before it is back waiting for work, and a bounded pool would reject the job
            // submitted in that moment.
            this.platformPool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, keepAliveMillis, TimeUnit.MILLISECONDS,
                    new SynchronousQueue<>(), DaemonThreads.named("asyncjsse-job-"));
        }
    }

    /** The scheduler all engines share, configured from {@link OffloadSettings}. */
    public static JobScheduler shared() {
        JobScheduler s = shared;
        if (s == null) {
            synchronized (JobScheduler.class) {
                s = shared;
                if (s == null) {
                    boolean virtual = OffloadSettings.useVirtualThreads();
                    s = new JobScheduler(OffloadSettings.maxJobs(virtual), virtual,
                            OffloadSettings.jobKeepAlive().toMillis());
                    shared = s;
                }
            }
        }
        return s;
    }

    /** A scheduler with its own limits; for tests and benchmarks that need a small capacity. */
    public static JobScheduler create(int capacity, boolean virtual, long keepAliveMillis) {
        return new JobScheduler(capacity, virtual && VirtualThreads.available(), keepAliveMillis);
    }

    /** Starts {@code job} if a permit is free. */
    boolean trySubmit(Runnable job) {
        if (!permits.tryAcquire()) {
            return false;
        }
        active.incrementAndGet();
        Runnable wrapped = () -> {
            try {
                job.run();
            } finally {
                release();
            }
        };
        try {
            if (virtualFactory != null) {
                virtualFactory.newThread(wrapped).start();
            } else {
                platformPool.execute(wrapped);
            }
            return true;
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            release();
            return false;
        }
    }

    private void release() {
        active.decrementAndGet();
        permits.release();
        capacityListeners.released();
    }

    /**
     * Runs {@code listener} once, when a permit is released (or at once if one is free now). It runs
     * on the releasing job's thread and must not block.
     */
    public void whenCapacity(Runnable listener) {
        capacityListeners.add(listener, () -> permits.availablePermits() > 0);
    }

    /** Called by a job thread before it runs step code (at start, and when resuming from a park). */
    void enterRunning() {
        if (running != null) {
            running.acquireUninterruptibly();
        }
    }

    /** Called by a job thread when it parks or finishes. */
    void exitRunning() {
        if (running != null) {
            running.release();
        }
    }

    /** Jobs started and not yet finished. */
    public int activeJobs() {
        return active.get();
    }

    public int capacity() {
        return capacity;
    }

    boolean usesVirtualThreads() {
        return virtualFactory != null;
    }

}
