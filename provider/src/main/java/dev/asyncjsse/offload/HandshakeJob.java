package dev.asyncjsse.offload;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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

    private static final int CREATED = 0;
    private static final int RUNNING = 1;
    private static final int PARKED = 2;
    private static final int DONE = 3;

    private static final int FLAG_DONE = 1;
    private static final int FLAG_DETACHED = 2;

    private static final ThreadLocal<HandshakeJob> CURRENT = new ThreadLocal<>();

    // Lock-free on purpose: the caller (an event loop) must never wait for a lock that a job thread
    // holds, because on a busy machine the job thread may be descheduled while holding it.
    private final Work work;
    private final long timeoutNanos;
    private final Runnable onDetachedCompletion;
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicInteger flags = new AtomicInteger();
    private final AtomicReference<Throwable> offloadFailure = new AtomicReference<>();

    private volatile int phase = CREATED;
    private volatile String cancelReason;
    private volatile Thread thread;
    private volatile CompletableFuture<?> awaiting;
    private volatile Object result;
    private volatile Throwable failure;

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
        this.scheduler = scheduler;
        return scheduler.trySubmit(this::runOnJobThread);
    }

    private volatile JobScheduler scheduler;

    private void runOnJobThread() {
        thread = Thread.currentThread();
        phase = RUNNING;
        Object value = null;
        Throwable thrown = null;
        CURRENT.set(this);
        scheduler.enterRunning();
        try {
            value = work.run();
        } catch (Throwable t) {
            thrown = t;
        } finally {
            scheduler.exitRunning();
            CURRENT.remove();
        }
        result = value;
        failure = thrown;
        thread = null;
        phase = DONE;
        int before = flags.getAndUpdate(f -> f | FLAG_DONE);
        settled.complete(null);
        done.complete(null);
        if ((before & FLAG_DETACHED) != 0) {
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
        if (budgetNanos > 0 && !settled.isDone()) {
            try {
                settled.get(budgetNanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // budget spent: detach
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int before = flags.getAndUpdate(f -> (f & FLAG_DONE) != 0 ? f : f | FLAG_DETACHED);
        return (before & FLAG_DONE) != 0;
    }

    /** Waits, without a budget, until the job is done. Used by the delegated task of an unaware loop. */
    public void awaitDone() throws InterruptedException {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits up to {@code nanos} until the job is done. */
    public boolean awaitDone(long nanos) throws InterruptedException {
        try {
            done.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    public boolean isDone() {
        return phase == DONE;
    }

    /** True while the job waits in {@link #await} on an operation that is not yet complete. */
    public boolean isParked() {
        return phase == PARKED;
    }

    /** True once the job has parked on an operation that was not complete: it really waited. */
    public boolean hasParked() {
        return everParked;
    }

    private volatile boolean everParked;

    public boolean isJobThread(Thread t) {
        return t != null && thread == t;
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
        return offloadFailure.get();
    }

    /**
     * Cancels the operation the job waits for, and any it would wait for later. The job then fails
     * quickly; its completion hook still runs if the caller detached.
     */
    public void cancel(String reason) {
        if (cancelReason == null) {
            cancelReason = reason;
        }
        CompletableFuture<?> toCancel = awaiting;
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
        awaiting = future;
        try {
            // awaiting is published before cancelReason is read, and cancel() writes cancelReason before
            // reading awaiting: one of the two sides sees the other.
            if (cancelReason != null) {
                future.cancel(true);
                throw recordFailure(new CancellationException(cancelReason));
            }
            if (future.isDone()) {
                return future.get();
            }
            phase = PARKED;
            everParked = true;
            settled.complete(null);
            scheduler.exitRunning();
            try {
                return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
            } finally {
                scheduler.enterRunning();
            }
        } catch (TimeoutException e) {
            future.cancel(true);
            TimeoutException timeout = new TimeoutException(
                    "offloaded operation did not complete within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
            throw recordFailure(timeout);
        } catch (CancellationException e) {
            String reason = cancelReason;
            CancellationException cancelled = new CancellationException(
                    reason != null ? reason : "offloaded operation was cancelled");
            throw recordFailure(cancelled);
        } catch (ExecutionException e) {
            throw recordFailure(e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw recordFailure(new CancellationException("handshake job was interrupted"));
        } finally {
            awaiting = null;
            if (phase == PARKED) {
                phase = RUNNING;
            }
        }
    }

    private CompletionException recordFailure(Throwable cause) {
        offloadFailure.compareAndSet(null, cause);
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
