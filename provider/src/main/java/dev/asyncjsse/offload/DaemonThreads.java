package dev.asyncjsse.offload;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one source of AsyncJSSE's own platform threads: named daemon threads, so that none of them keeps
 * a JVM alive, and pools that let their threads go when idle, so that none is left behind.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class DaemonThreads implements ThreadFactory {

    private static final long IDLE_SECONDS = 5;

    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();

    private DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    /**
     * A factory of daemon threads named {@code prefix} and a number.
     *
     * @param prefix the name prefix, e.g. {@code asyncjsse-job-}
     * @return the factory
     */
    public static ThreadFactory named(String prefix) {
        return new DaemonThreads(prefix);
    }

    /**
     * A pool of at most {@code threads} daemon threads with an unbounded queue, whose threads end after
     * a few idle seconds.
     *
     * @param prefix the name prefix of its threads
     * @param threads the most threads at once
     * @return the pool
     */
    public static ExecutorService lazyPool(String prefix, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), named(prefix));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + counter.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
