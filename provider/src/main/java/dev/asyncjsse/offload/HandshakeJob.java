package dev.asyncjsse.offload;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One handshake step run on a job thread: OpenSSL's {@code ASYNC_JOB}, with a Java thread as the fiber.
 *
 * <p>The thread that drives the engine (the <em>caller</em>) starts the job and waits for it to
 * <em>settle</em>: to finish, to park in {@link #await} on an unfinished operation, or to outlast the
 * caller's wait budget. If it finished, the caller takes the result at once. Otherwise the caller
 * <em>detaches</em> and reports offload pending; when the job later finishes it runs the completion
 * hook on the job thread, which the engine turns into the application's wake-up callback.
 *
 * <p>Internal: not part of the public API. All methods are thread-safe.
 */
public final class HandshakeJob {

    /** The work of a step. It runs exactly once, on the job thread. */
    @FunctionalInterface
    public interface Work {
        Object run() throws Exception;
    }

    private enum Phase { CREATED, RUNNING, PARKED, DONE }

    private static final ThreadLocal<HandshakeJob> CURRENT = new ThreadLocal<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition settled = lock.newCondition();
    private final Work work;
    private final long timeoutNanos;
    private final Runnable onDetachedCompletion;

    private Phase phase = Phase.CREATED;
    private boolean detached;
    private String cancelReason;
    private Thread thread;
    private CompletableFuture<?> awaiting;
    private Object result;
    private Throwable failure;
    private Throwable offloadFailure;

    /**
     * @param work the step
     * @param offloadTimeout how long one {@link #await} may wait
     * @param onDetachedCompletion run on the job thread when the job finishes after its caller detached
     */
    public HandshakeJob(Work work, Duration offloadTimeout, Runnable onDetachedCompletion) {
        this.work = work;
        this.timeoutNanos = offloadTimeout.toNanos();
        this.onDetachedCompletion = onDetachedCompletion;
    }

    /** The job the current thread runs, or {@code null}. */
    public static HandshakeJob current() {
        return CURRENT.get();
    }

    /**
     * Submits the job.
     *
     * @return false if the scheduler has no capacity; the job was not started and may be dropped
     */
    public boolean start(JobScheduler scheduler) {
        return scheduler.trySubmit(this::runOnJobThread);
    }

    private void runOnJobThread() {
        lock.lock();
        try {
            thread = Thread.currentThread();
            if (phase == Phase.CREATED) {
                phase = Phase.RUNNING;
            }
        } finally {
            lock.unlock();
        }
        Object value = null;
        Throwable thrown = null;
        CURRENT.set(this);
        try {
            value = work.run();
        } catch (Throwable t) {
            thrown = t;
        } finally {
            CURRENT.remove();
        }
        boolean notify;
        lock.lock();
        try {
            result = value;
            failure = thrown;
            phase = Phase.DONE;
            thread = null;
            notify = detached;
            settled.signalAll();
        } finally {
            lock.unlock();
        }
        if (notify) {
            onDetachedCompletion.run();
        }
    }

    /**
     * Waits up to {@code budgetNanos} for the job to finish or park. If it did not finish, the caller
     * is detached and the completion hook will run when it does.
     *
     * @return true if the job is done and its result can be taken now
     */
    public boolean awaitSettled(long budgetNanos) {
        lock.lock();
        try {
            long nanos = budgetNanos;
            while ((phase == Phase.CREATED || phase == Phase.RUNNING) && nanos > 0) {
                try {
                    nanos = settled.awaitNanos(nanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (phase == Phase.DONE) {
                return true;
            }
            detached = true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Waits, without a budget, until the job is done. Used by the delegated task of an unaware loop. */
    public void awaitDone() throws InterruptedException {
        lock.lock();
        try {
            while (phase != Phase.DONE) {
                settled.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code nanos} until the job is done. */
    public boolean awaitDone(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (phase != Phase.DONE) {
                if (left <= 0) {
                    return false;
                }
                left = settled.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isDone() {
        lock.lock();
        try {
            return phase == Phase.DONE;
        } finally {
            lock.unlock();
        }
    }

    /** True once the job waited in {@link #await} on an operation that was not yet complete. */
    public boolean isParked() {
        lock.lock();
        try {
            return phase == Phase.PARKED;
        } finally {
            lock.unlock();
        }
    }

    public boolean isJobThread(Thread t) {
        lock.lock();
        try {
            return thread == t;
        } finally {
            lock.unlock();
        }
    }

    /** The value the work returned; only after {@link #isDone()}. */
    public Object result() {
        return result;
    }

    /** What the work threw, or {@code null}; only after {@link #isDone()}. */
    public Throwable failure() {
        return failure;
    }

    /** The first failure, timeout or cancellation of an awaited operation, or {@code null}. */
    public Throwable offloadFailure() {
        lock.lock();
        try {
            return offloadFailure;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels the operation the job waits for, and any it would wait for later. The job then fails
     * quickly; its completion hook still runs if the caller detached.
     */
    public void cancel(String reason) {
        CompletableFuture<?> toCancel;
        lock.lock();
        try {
            if (cancelReason == null) {
                cancelReason = reason;
            }
            toCancel = awaiting;
        } finally {
            lock.unlock();
        }
        if (toCancel != null) {
            toCancel.cancel(true);
        }
    }

    /**
     * Waits for {@code stage}: parks the current job if there is one, otherwise blocks with the
     * default offload timeout.
     */
    public static <T> T await(CompletionStage<T> stage) {
        HandshakeJob job = CURRENT.get();
        CompletableFuture<T> future = asFuture(stage);
        if (job == null) {
            return waitOutsideJob(future, OffloadSettings.defaultTimeout().toNanos());
        }
        return job.park(future);
    }

    private <T> T park(CompletableFuture<T> future) {
        lock.lock();
        try {
            if (cancelReason != null) {
                future.cancel(true);
                throw recordFailure(new CancellationException(cancelReason));
            }
            if (!future.isDone()) {
                awaiting = future;
                phase = Phase.PARKED;
                settled.signalAll();
            }
        } finally {
            lock.unlock();
        }
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            TimeoutException timeout = new TimeoutException(
                    "offloaded operation did not complete within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
            throw recordFailure(timeout);
        } catch (CancellationException e) {
            String reason;
            lock.lock();
            try {
                reason = cancelReason;
            } finally {
                lock.unlock();
            }
            CancellationException cancelled = new CancellationException(
                    reason != null ? reason : "offloaded operation was cancelled");
            throw recordFailure(cancelled);
        } catch (ExecutionException e) {
            throw recordFailure(e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw recordFailure(new CancellationException("handshake job was interrupted"));
        } finally {
            lock.lock();
            try {
                awaiting = null;
                if (phase == Phase.PARKED) {
                    phase = Phase.RUNNING;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private CompletionException recordFailure(Throwable cause) {
        lock.lock();
        try {
            if (offloadFailure == null) {
                offloadFailure = cause;
            }
        } finally {
            lock.unlock();
        }
        return new CompletionException(cause.getMessage(), cause);
    }

    private static <T> T waitOutsideJob(CompletableFuture<T> future, long timeoutNanos) {
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new CompletionException(new TimeoutException(
                    "offloaded operation did not complete within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CompletionException(cause.getMessage(), cause);
        } catch (CancellationException e) {
            throw new CompletionException("offloaded operation was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException("interrupted while waiting for an offloaded operation", e);
        }
    }

    private static <T> CompletableFuture<T> asFuture(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            CompletableFuture<T> bridge = new CompletableFuture<>();
            stage.whenComplete((value, error) -> {
                if (error != null) {
                    bridge.completeExceptionally(error);
                } else {
                    bridge.complete(value);
                }
            });
            return bridge;
        }
    }
}
